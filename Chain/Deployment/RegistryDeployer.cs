using System.Numerics;
using CreAspire.Chain.Contracts;
using CreAspire.Chain.Registries;
using Nethereum.Contracts;
using Nethereum.Contracts.CQS;
using Nethereum.Hex.HexTypes;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;
using Nethereum.Util;
using Nethereum.Web3;
using Cap = CreAspire.Chain.Contracts.CapabilitiesRegistry;
using Wf = CreAspire.Chain.Contracts.WorkflowRegistry;

namespace CreAspire.Chain.Deployment;

/// <summary>Who deploys and who is linked as workflow owner; defaults are Anvil accounts #0 and #1.</summary>
public sealed record DeploymentOptions
{
    public EthECKey Deployer { get; init; } = DevAccounts.Deployer;

    public EthECKey WorkflowOwner { get; init; } = DevAccounts.WorkflowOwner;

    /// <summary>The name of the one node operator every node is registered under (its admin is the deployer).</summary>
    public string NodeOperatorName { get; init; } = "creaspire-dev";

    public TimeSpan ReceiptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often receipts are polled (Nethereum's polling service; on Anvil with automine the first poll finds them).</summary>
    public TimeSpan ReceiptPollInterval { get; init; } = ChainClients.DefaultReceiptPollInterval;

    /// <summary>How long the owner-link signature stays valid (it is used immediately).</summary>
    public TimeSpan LinkValidity { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Deploys Chainlink's CapabilitiesRegistry and WorkflowRegistry (<see cref="RegistryContracts"/>) and registers a topology
/// the way the original's environment does: one node operator, the capabilities, the nodes (signer, p2p id, X25519
/// encryption key, CSA key), the DONs, the deployer as allowed signer of owner links, a DON limit per workflow family,
/// and the dev workflow owner linked with a proof over the deployed registry's typeAndVersion. Beyond local CRE, it
/// records the CapabilitiesRegistry in the WorkflowRegistry (setCapabilitiesRegistry with the chain's Chainlink chain
/// selector, <see cref="ChainSelectors"/>) as Chainlink's own deployments do, when the chain id has a selector. The deployer's
/// transactions are pipelined through Nethereum (nonces, gas limits and fees set by hand, each signed and sent before any
/// receipt is awaited), so on Anvil the whole default topology takes a few tens of milliseconds. On a fresh chain the
/// addresses are deterministic: CapabilitiesRegistry at CREATE(deployer, 0), WorkflowRegistry at CREATE(deployer, 1).
/// </summary>
public static class RegistryDeployer
{
    // Gas limits for pipelined transactions (estimation is impossible before the contracts exist). Generous on purpose:
    // Anvil's accounts are rich and unused gas is not charged; every receipt is checked.
    private const ulong DeployGas = 8_000_000;
    private const ulong AdminCallGas = 300_000;

    /// <summary>Deploys and registers <paramref name="spec"/> on the chain at <paramref name="rpcUrl"/> with the default accounts.</summary>
    public static Task<DeployedRegistries> DeployAsync(string rpcUrl, TopologySpec spec, CancellationToken cancellationToken) =>
        DeployAsync(rpcUrl, spec, new DeploymentOptions(), cancellationToken);

    public static async Task<DeployedRegistries> DeployAsync(string rpcUrl, TopologySpec spec, DeploymentOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        Validate(spec);

        var client = ChainClients.CreateRpcClient(rpcUrl);
        var chainId = await ChainClients.GetChainIdAsync(client, cancellationToken).ConfigureAwait(false);
        var admin = ChainClients.ForAccount(client, options.Deployer, chainId, options.ReceiptPollInterval);
        var adminAddress = DevAccounts.AddressOf(options.Deployer);
        var nonceTask = admin.Eth.Transactions.GetTransactionCount.SendRequestAsync(adminAddress, BlockParameter.CreatePending());
        var feeTask = admin.FeeSuggestion.GetSimpleFeeSuggestionStrategy().SuggestFeeAsync();
        await Task.WhenAll(nonceTask, feeTask).ConfigureAwait(false);
        var pipeline = new Pipeline(admin, nonceTask.Result.Value, feeTask.Result.MaxFeePerGas ?? 0, feeTask.Result.MaxPriorityFeePerGas ?? 0);

        var capabilitiesAddress = ContractUtils.CalculateContractAddress(adminAddress, pipeline.NextNonce).ToLowerInvariant();
        var workflowsAddress = ContractUtils.CalculateContractAddress(adminAddress, pipeline.NextNonce + 1).ToLowerInvariant();

        await pipeline.DeployAsync(new Cap.CapabilitiesRegistryDeployment { Params = new Cap.ConstructorParams { CanAddOneNodeDONs = true } }, "CapabilitiesRegistry", capabilitiesAddress).ConfigureAwait(false);
        await pipeline.DeployAsync(new Wf.WorkflowRegistryDeployment(), "WorkflowRegistry", workflowsAddress).ConfigureAwait(false);

        var capabilityIds = spec.CapabilityIds;
        var nodes = NodeParams(spec);
        await pipeline.SendAsync(capabilitiesAddress, "CapabilitiesRegistry.addCapabilities", Cap.CapabilitiesRegistryService.ErrorTypes, new Cap.AddCapabilitiesFunction
        {
            Capabilities = capabilityIds.Select(id => new Cap.Capability { CapabilityId = id, ConfigurationContract = AddressUtil.ZERO_ADDRESS, Metadata = [] }).ToList(),
        }, 150_000 + 150_000 * (ulong)capabilityIds.Count).ConfigureAwait(false);
        await pipeline.SendAsync(capabilitiesAddress, "CapabilitiesRegistry.addNodeOperators", Cap.CapabilitiesRegistryService.ErrorTypes, new Cap.AddNodeOperatorsFunction
        {
            NodeOperators = [new Cap.NodeOperator { Admin = adminAddress, Name = options.NodeOperatorName }],
        }, AdminCallGas).ConfigureAwait(false);
        await pipeline.SendAsync(capabilitiesAddress, "CapabilitiesRegistry.addNodes", Cap.CapabilitiesRegistryService.ErrorTypes, new Cap.AddNodesFunction
        {
            Nodes = nodes,
        }, 200_000 + 450_000 * (ulong)nodes.Count).ConfigureAwait(false);
        await pipeline.SendAsync(capabilitiesAddress, "CapabilitiesRegistry.addDONs", Cap.CapabilitiesRegistryService.ErrorTypes, new Cap.AddDONsFunction
        {
            NewDONs = spec.Dons.Select(ToNewDon).ToList(),
        }, DonGas(spec)).ConfigureAwait(false);
        await pipeline.SendAsync(workflowsAddress, "WorkflowRegistry.updateAllowedSigners", Wf.WorkflowRegistryService.ErrorTypes, new Wf.UpdateAllowedSignersFunction
        {
            Signers = [adminAddress],
            Allowed = true,
        }, AdminCallGas).ConfigureAwait(false);

        // Where the DONs are registered, as Chainlink's deployments record it (local CRE leaves it unset; nothing in the
        // node reads it, but a tool that asks the WorkflowRegistry getCapabilitiesRegistry() gets the real answer).
        var hasSelector = ChainSelectors.TryGet(chainId, out var chainSelector);
        if (hasSelector)
        {
            await pipeline.SendAsync(workflowsAddress, "WorkflowRegistry.setCapabilitiesRegistry", Wf.WorkflowRegistryService.ErrorTypes, new Wf.SetCapabilitiesRegistryFunction
            {
                Registry = capabilitiesAddress,
                ChainSelector = chainSelector,
            }, AdminCallGas).ConfigureAwait(false);
        }

        foreach (var family in spec.WorkflowFamilies)
        {
            await pipeline.SendAsync(workflowsAddress, "WorkflowRegistry.setDONLimit", Wf.WorkflowRegistryService.ErrorTypes, new Wf.SetDONLimitFunction
            {
                DonFamily = family,
                Limit = spec.WorkflowLimitPerFamily,
                Enabled = true,
            }, AdminCallGas).ConfigureAwait(false);
        }

        var receipts = await pipeline.WaitAllAsync(options.ReceiptTimeout, cancellationToken).ConfigureAwait(false);

        // The owner links itself with the deployer's (allowed signer's) proof once the signer set is mined.
        var owner = new WorkflowRegistryWriter(ChainClients.ForAccount(client, options.WorkflowOwner, chainId, options.ReceiptPollInterval), workflowsAddress);
        var reader = new WorkflowRegistryReader(owner.Web3, workflowsAddress);
        var typeAndVersion = await reader.TypeAndVersionAsync(cancellationToken).ConfigureAwait(false);
        RegistryContracts.RequireTypeAndVersion(RegistryContracts.WorkflowRegistryTypeAndVersion, typeAndVersion, workflowsAddress);
        if (!await reader.Service.IsOwnerLinkedQueryAsync(owner.Sender).ConfigureAwait(false))
        {
            var proof = WorkflowRegistryWriter.CreateLinkProof(options.Deployer, owner.Sender, chainId, workflowsAddress, DateTimeOffset.UtcNow + options.LinkValidity,
                typeAndVersion: typeAndVersion);
            await owner.LinkOwnerAsync(proof, cancellationToken).ConfigureAwait(false);
        }

        var dons = await new Cap.CapabilitiesRegistryService(admin, capabilitiesAddress).GetDONsQueryAsync().ConfigureAwait(false);
        return new DeployedRegistries(
            chainId,
            workflowsAddress,
            capabilitiesAddress,
            dons.ReturnValue1.ToDictionary(d => d.Name, d => d.Id, StringComparer.Ordinal),
            adminAddress,
            owner.Sender,
            (ulong)receipts.Max(r => r.BlockNumber.Value))
        {
            ChainSelector = hasSelector ? chainSelector : null,
        };
    }

    /// <summary>The nodes as addNodes takes them: one entry per distinct signer, supporting the capabilities of every DON it is in.</summary>
    public static List<Cap.NodeParams> NodeParams(TopologySpec spec, uint nodeOperatorId = 1)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.Dons.SelectMany(d => d.Members)
            .GroupBy(n => n.Signer, StringComparer.OrdinalIgnoreCase)
            .Select(g => new Cap.NodeParams
            {
                NodeOperatorId = nodeOperatorId,
                Signer = SignerBytes32(g.First().Signer),
                P2pId = g.First().P2pId,
                EncryptionPublicKey = g.First().EncryptionPublicKey,
                CsaKey = g.First().CsaKey,
                CapabilityIds = spec.Dons.Where(d => d.Members.Any(m => string.Equals(m.Signer, g.Key, StringComparison.OrdinalIgnoreCase)))
                    .SelectMany(TopologySpec.NodeCapabilitiesOf).Distinct(StringComparer.Ordinal).ToList(),
            })
            .ToList();
    }

    /// <summary>The registry's bytes32 signer for an address: the 20 bytes followed by 12 zero bytes.</summary>
    public static byte[] SignerBytes32(string address)
    {
        var bytes = Convert.FromHexString(ChainAddresses.Require(address, "a node signer")[2..]);
        return [.. bytes, .. new byte[12]];
    }

    private static Cap.NewDONParams ToNewDon(DonSpec don) => new()
    {
        Name = don.Name,
        DonFamilies = don.Families.ToList(),
        Config = [],
        CapabilityConfigurations = don.Capabilities.Select(c => new Cap.CapabilityConfiguration { CapabilityId = c.CapabilityId, Config = c.Config }).ToList(),
        Nodes = don.Members.Select(m => m.P2pId).ToList(),
        F = checked((byte)don.F),
        IsPublic = don.IsPublic,
        AcceptsWorkflows = don.AcceptsWorkflows,
    };

    private static ulong DonGas(TopologySpec spec) => 300_000 + (ulong)spec.Dons.Sum(d =>
        500_000 + 150_000 * d.Members.Count + 120_000 * d.Families.Count
        + d.Capabilities.Sum(c => 200_000 + 25_000 * (c.Config.Length / 32 + 1)));

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

            foreach (var node in don.Members)
            {
                if (node.P2pId.Length != 32 || node.EncryptionPublicKey.Length != 32 || node.CsaKey.Length != 32)
                {
                    throw new ArgumentException(
                        $"Node '{node.Name}' of DON '{don.Name}' needs a 32-byte p2p id, encryption public key (X25519) and CSA key; " +
                        $"got {node.P2pId.Length}, {node.EncryptionPublicKey.Length} and {node.CsaKey.Length} bytes (NodeSpec.Derive makes all three).", nameof(spec));
                }
            }
        }
    }

    /// <summary>Signs and sends one transaction after another with consecutive nonces, then collects every receipt.</summary>
    private sealed class Pipeline(Web3 web3, BigInteger firstNonce, BigInteger maxFeePerGas, BigInteger maxPriorityFeePerGas)
    {
        private readonly List<(string Hash, string Operation, IReadOnlyList<Type> Errors, string? ExpectedContract)> _sent = [];

        public BigInteger NextNonce { get; private set; } = firstNonce;

        public async Task DeployAsync<TDeployment>(TDeployment deployment, string name, string expectedAddress)
            where TDeployment : ContractDeploymentMessage, new()
        {
            Stamp(deployment, DeployGas);
            var hash = await ContractErrors.RunAsync("deploy " + name, [], () => web3.Eth.GetContractDeploymentHandler<TDeployment>().SendRequestAsync(deployment))
                .ConfigureAwait(false);
            _sent.Add((hash, "deploy " + name, [], expectedAddress));
        }

        public async Task SendAsync<TFunction>(string contract, string operation, IReadOnlyList<Type> errors, TFunction function, ulong gas)
            where TFunction : FunctionMessage, new()
        {
            Stamp(function, gas);
            var hash = await ContractErrors.RunAsync(operation, errors, () => web3.Eth.GetContractTransactionHandler<TFunction>().SendRequestAsync(contract, function))
                .ConfigureAwait(false);
            _sent.Add((hash, operation, errors, null));
        }

        public async Task<TransactionReceipt[]> WaitAllAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            var receipts = await Task.WhenAll(_sent.Select(s => ChainClients.WaitForReceiptAsync(web3, s.Hash, timeout, cancellationToken))).ConfigureAwait(false);
            for (var i = 0; i < receipts.Length; i++)
            {
                var (_, operation, errors, expectedContract) = _sent[i];
                await ContractErrors.EnsureSucceededAsync(web3, receipts[i], operation, errors).ConfigureAwait(false);
                if (expectedContract is not null && !string.Equals(receipts[i].ContractAddress, expectedContract, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException(
                        $"{operation} created {receipts[i].ContractAddress} but {expectedContract} was expected; another transaction from the deployer account raced the deployment.");
                }
            }

            return receipts;
        }

        // One message per send: Nethereum's handlers write into the message they are given.
        private void Stamp(ContractMessageBase message, ulong gas)
        {
            message.Nonce = NextNonce;
            message.Gas = gas;
            message.MaxFeePerGas = maxFeePerGas;
            message.MaxPriorityFeePerGas = maxPriorityFeePerGas;
            NextNonce++;
        }
    }
}
