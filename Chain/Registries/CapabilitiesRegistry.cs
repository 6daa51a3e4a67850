using CreAspire.Chain.Abi;
using CreAspire.Chain.Contracts;
using CreAspire.Chain.Rpc;

namespace CreAspire.Chain.Registries;

/// <summary>A capability entry ("name@version").</summary>
public sealed record CapabilityRecord(string CapabilityId, string ConfigurationContract, byte[] Metadata);

/// <summary>
/// A node as stored: signer (lower-case 0x), p2p id (32 bytes), capabilities, the DONs it is in, and its encryption public
/// key (65-byte uncompressed secp256k1) that secrets are sealed to.
/// </summary>
public sealed record NodeRecord(string Signer, byte[] P2pId, IReadOnlyList<string> CapabilityIds, uint WorkflowDonId, IReadOnlyList<uint> CapabilitiesDonIds)
{
    public byte[] EncryptionPublicKey { get; init; } = [];
}

/// <summary>Per-DON configuration of one capability.</summary>
public sealed record CapabilityConfiguration(string CapabilityId, byte[] Config);

/// <summary>A DON as stored; <see cref="NodeP2pIds"/> are the members in registration order.</summary>
public sealed record DonRecord(
    uint Id,
    uint ConfigCount,
    int F,
    bool IsPublic,
    bool AcceptsWorkflows,
    IReadOnlyList<byte[]> NodeP2pIds,
    IReadOnlyList<string> DonFamilies,
    string Name,
    byte[] Config,
    IReadOnlyList<CapabilityConfiguration> CapabilityConfigurations);

/// <summary>Input of addNodes. <see cref="EncryptionPublicKey"/> must be a 65-byte uncompressed secp256k1 key (the contract reverts otherwise).</summary>
public sealed record NodeRegistration(string Signer, byte[] P2pId, IReadOnlyList<string> CapabilityIds)
{
    public byte[] EncryptionPublicKey { get; init; } = [];
}

/// <summary>Input of addDONs.</summary>
public sealed record DonRegistration(
    string Name,
    IReadOnlyList<string> DonFamilies,
    byte[] Config,
    IReadOnlyList<CapabilityConfiguration> CapabilityConfigurations,
    IReadOnlyList<byte[]> Nodes,
    int F,
    bool IsPublic,
    bool AcceptsWorkflows);

/// <summary>Typed binding of CapabilitiesRegistry: capabilities, nodes and DONs (writes from the contract owner).</summary>
public sealed class CapabilitiesRegistry(EthRpcClient rpc, string address)
    : ContractBinding(rpc, address, ContractArtifact.CapabilitiesRegistry)
{
    public async Task<string> TypeAndVersionAsync(CancellationToken cancellationToken) =>
        (await CallAsync("typeAndVersion", cancellationToken).ConfigureAwait(false))[0].AsString();

    public async Task<IReadOnlyList<CapabilityRecord>> GetCapabilitiesAsync(CancellationToken cancellationToken) =>
        (await CallAsync("getCapabilities", cancellationToken).ConfigureAwait(false))[0].AsArray().Select(v =>
        {
            var f = v.AsTuple();
            return new CapabilityRecord(f[0].AsString(), f[1].AsAddress(), f[2].AsBytes());
        }).ToArray();

    public async Task<IReadOnlyList<NodeRecord>> GetNodesAsync(CancellationToken cancellationToken) =>
        (await CallAsync("getNodes", cancellationToken).ConfigureAwait(false))[0].AsArray().Select(ToNode).ToArray();

    public async Task<IReadOnlyList<DonRecord>> GetDonsAsync(CancellationToken cancellationToken) =>
        (await CallAsync("getDONs", cancellationToken).ConfigureAwait(false))[0].AsArray().Select(ToDon).ToArray();

    public async Task<DonRecord> GetDonAsync(uint donId, CancellationToken cancellationToken) =>
        ToDon((await CallAsync("getDON", cancellationToken, donId).ConfigureAwait(false))[0]);

    public Task<TransactionReceipt> AddCapabilitiesAsync(EvmSigner admin, IEnumerable<string> capabilityIds, CancellationToken cancellationToken) =>
        admin.SendAsync(AddCapabilitiesRequest(capabilityIds, null), cancellationToken);

    public Task<TransactionReceipt> AddNodesAsync(EvmSigner admin, IEnumerable<NodeRegistration> nodes, CancellationToken cancellationToken) =>
        admin.SendAsync(AddNodesRequest(nodes, null), cancellationToken);

    public Task<TransactionReceipt> AddDonsAsync(EvmSigner admin, IEnumerable<DonRegistration> dons, CancellationToken cancellationToken) =>
        admin.SendAsync(AddDonsRequest(dons, null), cancellationToken);

    public TransactionRequest AddCapabilitiesRequest(IEnumerable<string> capabilityIds, ulong? gasLimit) =>
        Request("addCapabilities", gasLimit, AbiValue.Array(capabilityIds.Select(id =>
            (AbiValue)AbiValue.Tuple(id, AbiValue.Address("0x0000000000000000000000000000000000000000"), Array.Empty<byte>()))));

    public TransactionRequest AddNodesRequest(IEnumerable<NodeRegistration> nodes, ulong? gasLimit) =>
        Request("addNodes", gasLimit, AbiValue.Array(nodes.Select(n =>
            (AbiValue)AbiValue.Tuple(AbiValue.Address(n.Signer), n.P2pId, n.EncryptionPublicKey, AbiValue.Array(n.CapabilityIds.Select(c => (AbiValue)c))))));

    public TransactionRequest AddDonsRequest(IEnumerable<DonRegistration> dons, ulong? gasLimit) =>
        Request("addDONs", gasLimit, AbiValue.Array(dons.Select(d => (AbiValue)AbiValue.Tuple(
            d.Name,
            AbiValue.Array(d.DonFamilies.Select(f => (AbiValue)f)),
            d.Config,
            AbiValue.Array(d.CapabilityConfigurations.Select(c => (AbiValue)AbiValue.Tuple(c.CapabilityId, c.Config))),
            AbiValue.Array(d.Nodes.Select(n => (AbiValue)n)),
            d.F,
            d.IsPublic,
            d.AcceptsWorkflows))));

    private static NodeRecord ToNode(AbiValue value)
    {
        var f = value.AsTuple();
        return new NodeRecord(
            f[0].AsAddress(), f[1].AsBytes(), f[3].AsArray().Select(c => c.AsString()).ToArray(), (uint)f[4].AsUInt64(),
            f[5].AsArray().Select(d => (uint)d.AsUInt64()).ToArray())
        {
            EncryptionPublicKey = f[2].AsBytes(),
        };
    }

    private static DonRecord ToDon(AbiValue value)
    {
        var f = value.AsTuple();
        return new DonRecord(
            (uint)f[0].AsUInt64(), (uint)f[1].AsUInt64(), (int)f[2].AsUInt64(), f[3].AsBool(), f[4].AsBool(),
            f[5].AsArray().Select(p => p.AsBytes()).ToArray(),
            f[6].AsArray().Select(x => x.AsString()).ToArray(),
            f[7].AsString(),
            f[8].AsBytes(),
            f[9].AsArray().Select(c => c.AsTuple()).Select(c => new CapabilityConfiguration(c[0].AsString(), c[1].AsBytes())).ToArray());
    }
}
