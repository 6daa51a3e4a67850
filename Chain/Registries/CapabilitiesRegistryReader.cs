using CreAspire.Chain.Contracts;
using CreAspire.Chain.Contracts.CapabilitiesRegistry;
using Nethereum.Web3;

namespace CreAspire.Chain.Registries;

/// <summary>A node as the topology needs it: signer address (lower-case 0x) decoded from the registry's bytes32 signer.</summary>
public sealed record RegisteredNode(string Signer, byte[] P2pId, byte[] EncryptionPublicKey, byte[] CsaKey, IReadOnlyList<string> CapabilityIds, uint WorkflowDonId, uint NodeOperatorId);

/// <summary>Everything the topology reads from a CapabilitiesRegistry in one go.</summary>
public sealed record CapabilitiesRegistryContents(IReadOnlyList<RegisteredNode> Nodes, IReadOnlyList<DONInfo> Dons, IReadOnlyList<CapabilityInfo> Capabilities);

/// <summary>Reads a CapabilitiesRegistry over the typed <see cref="CapabilitiesRegistryService"/>, refusing one whose typeAndVersion this project does not target.</summary>
public sealed class CapabilitiesRegistryReader
{
    private volatile bool _verified;

    public CapabilitiesRegistryReader(IWeb3 web3, string address)
    {
        ArgumentNullException.ThrowIfNull(web3);
        Service = new CapabilitiesRegistryService(web3, ChainAddresses.Require(address, "CapabilitiesRegistry"));
    }

    public CapabilitiesRegistryService Service { get; }

    /// <summary>Lower-case 0x address of the contract.</summary>
    public string Address => Service.ContractAddress;

    public Task<string> TypeAndVersionAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ContractErrors.RunAsync("CapabilitiesRegistry.typeAndVersion", CapabilitiesRegistryService.ErrorTypes, () => Service.TypeAndVersionQueryAsync());
    }

    /// <summary>Throws <see cref="UnsupportedRegistryException"/> unless the contract answers <see cref="RegistryContracts.CapabilitiesRegistryTypeAndVersion"/>.</summary>
    public async Task VerifyAsync(CancellationToken cancellationToken)
    {
        RegistryContracts.RequireTypeAndVersion(RegistryContracts.CapabilitiesRegistryTypeAndVersion, await TypeAndVersionAsync(cancellationToken).ConfigureAwait(false), Address);
        _verified = true;
    }

    /// <summary>Nodes, DONs and capabilities (three calls at once); the first read verifies typeAndVersion.</summary>
    public async Task<CapabilitiesRegistryContents> ReadAsync(CancellationToken cancellationToken)
    {
        if (!_verified)
        {
            await VerifyAsync(cancellationToken).ConfigureAwait(false);
        }

        var nodes = ContractErrors.RunAsync("CapabilitiesRegistry.getNodes", CapabilitiesRegistryService.ErrorTypes, () => Service.GetNodesQueryAsync());
        var dons = ContractErrors.RunAsync("CapabilitiesRegistry.getDONs", CapabilitiesRegistryService.ErrorTypes, () => Service.GetDONsQueryAsync());
        var capabilities = ContractErrors.RunAsync("CapabilitiesRegistry.getCapabilities", CapabilitiesRegistryService.ErrorTypes, () => Service.GetCapabilitiesQueryAsync());
        await Task.WhenAll(nodes, dons, capabilities).ConfigureAwait(false);
        return new CapabilitiesRegistryContents(
            nodes.Result.ReturnValue1.Select(ToNode).ToArray(),
            dons.Result.ReturnValue1,
            capabilities.Result.ReturnValue1);
    }

    public static RegisteredNode ToNode(NodeInfo node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return new RegisteredNode(SignerAddress(node.Signer), node.P2pId, node.EncryptionPublicKey, node.CsaKey, node.CapabilityIds, node.WorkflowDONId, node.NodeOperatorId);
    }

    /// <summary>
    /// The address in a bytes32 signer: the first 20 bytes when the other 12 are zero (how CreAspire's deployment and the
    /// original's write an on-chain signing address), else the last 20 (a left-padded address).
    /// </summary>
    public static string SignerAddress(byte[] signer)
    {
        ArgumentNullException.ThrowIfNull(signer);
        if (signer.Length != 32)
        {
            throw new FormatException($"A registry signer is 32 bytes; got {signer.Length}.");
        }

        var address = signer.AsSpan(20).ContainsAnyExcept((byte)0) ? signer.AsSpan(12) : signer.AsSpan(0, 20);
        return "0x" + Convert.ToHexStringLower(address);
    }
}
