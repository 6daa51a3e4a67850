using CreAspire.Chain.Contracts;
using CreAspire.Chain.Crypto;
using CreAspire.Chain.Registries;
using CreAspire.Chain.Rpc;
using CreAspire.Chain.Transactions;

namespace CreAspire.Chain.Deployment;

/// <summary>Who deploys and who is linked as workflow owner; defaults are Anvil accounts #0 and #1.</summary>
public sealed record DeploymentOptions
{
    public EthKey Deployer { get; init; } = DevAccounts.Deployer;

    public EthKey WorkflowOwner { get; init; } = DevAccounts.WorkflowOwner;

    public TimeSpan ReceiptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the owner-link signature stays valid (it is used immediately).</summary>
    public TimeSpan LinkValidity { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Deploys CapabilitiesRegistry and WorkflowRegistry and registers a topology in one call. The deployer's transactions
/// are pipelined (explicit consecutive nonces and gas limits, all sent before any receipt is awaited), so on Anvil the
/// whole default topology takes a few tens of milliseconds. On a fresh chain the addresses are deterministic:
/// CapabilitiesRegistry at CREATE(deployer, 0), WorkflowRegistry at CREATE(deployer, 1).
/// </summary>
public static class RegistryDeployer
{
    // Gas limits for pipelined transactions (estimation is impossible before the contracts exist). Generous on purpose:
    // Anvil's accounts are rich and unused gas is refunded; every receipt is checked.
    private const ulong DeployGas = 4_000_000;
    private const ulong AdminCallGas = 200_000;

    /// <summary>Deploys and registers <paramref name="spec"/> on the chain at <paramref name="rpcUrl"/> with the default accounts.</summary>
    public static async Task<DeployedRegistries> DeployAsync(string rpcUrl, TopologySpec spec, CancellationToken cancellationToken)
    {
        using var rpc = new EthRpcClient(rpcUrl);
        return await DeployAsync(rpc, spec, new DeploymentOptions(), cancellationToken).ConfigureAwait(false);
    }

    public static async Task<DeployedRegistries> DeployAsync(EthRpcClient rpc, TopologySpec spec, DeploymentOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        Validate(spec);

        var chainId = await rpc.GetChainIdAsync(cancellationToken).ConfigureAwait(false);
        var admin = new EvmSigner(rpc, options.Deployer, chainId) { ReceiptTimeout = options.ReceiptTimeout };
        var owner = new EvmSigner(rpc, options.WorkflowOwner, chainId) { ReceiptTimeout = options.ReceiptTimeout };

        var firstNonce = await rpc.GetTransactionCountAsync(admin.Address, cancellationToken).ConfigureAwait(false);
        var capabilities = new CapabilitiesRegistry(rpc, ContractAddress.FromDeployer(admin.Address, firstNonce));
        var workflows = new WorkflowRegistry(rpc, ContractAddress.FromDeployer(admin.Address, firstNonce + 1));

        var requests = new List<TransactionRequest>
        {
            Deploy(ContractArtifact.CapabilitiesRegistry),
            Deploy(ContractArtifact.WorkflowRegistry),
            capabilities.AddCapabilitiesRequest(spec.CapabilityIds, 150_000 + 120_000 * (ulong)spec.CapabilityIds.Count),
            capabilities.AddNodesRequest(NodeRegistrations(spec), 150_000 + 400_000 * (ulong)spec.Dons.Sum(d => d.Members.Count)),
            capabilities.AddDonsRequest(spec.Dons.Select(ToRegistration), DonGas(spec)),
            workflows.Request("updateAllowedSigners", AdminCallGas, Abi.AbiValue.Array([Abi.AbiValue.Address(admin.Address)]), true),
        };
        requests.AddRange(spec.WorkflowFamilies.Select(family =>
            workflows.Request("setDONLimit", AdminCallGas, family, spec.WorkflowLimitPerFamily, true)));

        // Pipeline: submit everything in nonce order, then collect the receipts (each checked, reverts decoded).
        var pending = new List<PendingTransaction>(requests.Count);
        foreach (var request in requests)
        {
            pending.Add(await admin.SubmitAsync(request, cancellationToken).ConfigureAwait(false));
        }

        var receipts = await Task.WhenAll(pending.Select(p => admin.WaitAsync(p, cancellationToken))).ConfigureAwait(false);
        CheckDeployed(receipts[0], capabilities.Address);
        CheckDeployed(receipts[1], workflows.Address);

        // The owner links itself with the deployer's (allowed signer's) proof once the signer set is mined.
        var proof = workflows.CreateLinkProof(options.Deployer, owner.Address, chainId, DateTimeOffset.UtcNow + options.LinkValidity);
        if (!await workflows.IsOwnerLinkedAsync(owner.Address, cancellationToken).ConfigureAwait(false))
        {
            await workflows.LinkOwnerAsync(owner, proof, cancellationToken).ConfigureAwait(false);
        }

        var dons = await capabilities.GetDonsAsync(cancellationToken).ConfigureAwait(false);
        return new DeployedRegistries(
            chainId,
            workflows.Address,
            capabilities.Address,
            dons.ToDictionary(d => d.Name, d => d.Id, StringComparer.Ordinal),
            admin.Address,
            owner.Address,
            receipts.Max(r => r.BlockNumber));
    }

    private static TransactionRequest Deploy(ContractArtifact artifact) =>
        new(null, artifact.Bytecode, DeployGas) { Abi = artifact.Abi, Operation = $"deploy {artifact.Name}" };

    private static void CheckDeployed(TransactionReceipt receipt, string expected)
    {
        if (!string.Equals(receipt.ContractAddress, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException(
                $"A contract was deployed at {receipt.ContractAddress} but {expected} was expected; another transaction from the deployer account raced the deployment.");
        }
    }

    private static IEnumerable<NodeRegistration> NodeRegistrations(TopologySpec spec) =>
        spec.Dons.SelectMany(d => d.Members)
            .GroupBy(n => n.Signer, StringComparer.OrdinalIgnoreCase)
            .Select(g => new NodeRegistration(
                g.First().Signer,
                g.First().P2pId,
                spec.Dons.Where(d => d.Members.Any(m => string.Equals(m.Signer, g.Key, StringComparison.OrdinalIgnoreCase)))
                    .SelectMany(d => d.Capabilities).Select(c => c.CapabilityId).Distinct(StringComparer.Ordinal).ToArray())
            {
                EncryptionPublicKey = g.First().EncryptionPublicKey,
            });

    private static DonRegistration ToRegistration(DonSpec don) => new(
        don.Name,
        don.Families,
        [],
        don.Capabilities.Select(c => new CapabilityConfiguration(c.CapabilityId, c.Config)).ToArray(),
        don.Members.Select(m => m.P2pId).ToArray(),
        don.F,
        don.IsPublic,
        don.AcceptsWorkflows);

    private static ulong DonGas(TopologySpec spec) => 200_000 + (ulong)spec.Dons.Sum(d =>
        400_000 + 120_000 * d.Members.Count + 80_000 * d.Families.Count
        + d.Capabilities.Sum(c => 150_000 + 25_000 * (c.Config.Length / 32 + 1)));

    private static void Validate(TopologySpec spec)
    {
        if (spec.Dons.Count == 0)
        {
            throw new ArgumentException("The topology has no DONs; add at least one DonSpec.", nameof(spec));
        }

        foreach (var don in spec.Dons)
        {
            if (3 * don.F + 1 > don.Members.Count)
            {
                throw new ArgumentException(
                    $"DON '{don.Name}' has {don.Members.Count} members but F={don.F} needs at least {3 * don.F + 1} (3F+1); add nodes or lower F.", nameof(spec));
            }
        }
    }
}
