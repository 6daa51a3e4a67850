using CreAspire.Chain.Contracts;
using CreAspire.Chain.Deployment;
using CreAspire.Chain.Identity;
using CreAspire.Chain.Registries;
using CreAspire.Don.Topology;
using Microsoft.Extensions.Time.Testing;
using Cap = CreAspire.Chain.Contracts.CapabilitiesRegistry;

namespace CreAspire.Chain.Tests.Registries;

[Collection(AnvilCollection.Name)]
public class RegistryDeploymentTests(AnvilChainFixture chain)
{
    private readonly CancellationToken _ct = AnvilChainFixture.Timeout();

    [Fact]
    public async Task Deployed_registries_are_Chainlinks_2_0_0_dev_contracts()
    {
        Assert.Equal("WorkflowRegistry 2.0.0-dev", await chain.Workflows.TypeAndVersionAsync(_ct));
        Assert.Equal("CapabilitiesRegistry 2.0.0-dev", await chain.Capabilities.TypeAndVersionAsync(_ct));
        Assert.Equal(RegistryContracts.WorkflowRegistryTypeAndVersion, await chain.Workflows.TypeAndVersionAsync(_ct));
        Assert.Equal("@chainlink/contracts/src/v0.8/workflow/dev/v2/WorkflowRegistry.sol", RegistryContracts.WorkflowRegistry.Source);
        Assert.Equal("1.5.0", RegistryContracts.CapabilitiesRegistry.PackageVersion);
        Assert.StartsWith("0.8.26+", RegistryContracts.CapabilitiesRegistry.CompilerVersion, StringComparison.Ordinal);
    }

    [Fact]
    public void Deployment_on_a_fresh_chain_uses_deterministic_addresses_and_don_ids()
    {
        Assert.Equal(1337UL, chain.Deployed.ChainId);
        Assert.Equal("0x5fbdb2315678afecb367f032d93f642f64180aa3", chain.Deployed.CapabilitiesRegistry);
        Assert.Equal("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512", chain.Deployed.WorkflowRegistry);
        Assert.Equal(1U, chain.Deployed.DonIds["workflow"]);
        Assert.Equal(2U, chain.Deployed.DonIds["relay"]);
        Assert.Equal(3U, chain.Deployed.DonIds["capability"]);
        Assert.Equal("0x70997970c51812dc3a010c7d01b50e0d17dc79c8", chain.Deployed.WorkflowOwner);
    }

    [Fact]
    public async Task Deployment_sets_what_the_real_registries_need_operator_limits_and_signers()
    {
        var operators = await chain.Capabilities.Service.GetNodeOperatorsQueryAsync();
        var op = Assert.Single(operators.ReturnValue1);
        Assert.Equal("creaspire-dev", op.Name);
        Assert.Equal(chain.Deployed.Deployer, op.Admin.ToLowerInvariant());
        Assert.Equal(100U, await chain.Workflows.Service.GetMaxWorkflowsPerDONQueryAsync("zone-a"));
        Assert.True(await chain.Workflows.Service.IsAllowedSignerQueryAsync(chain.Deployed.Deployer));
        Assert.True(await chain.Workflows.Service.IsOwnerLinkedQueryAsync(chain.Deployed.WorkflowOwner));
    }

    [Fact]
    public async Task The_WorkflowRegistry_names_its_CapabilitiesRegistry_with_Chainlinks_selector_for_chain_1337()
    {
        var registry = await chain.Workflows.Service.GetCapabilitiesRegistryQueryAsync();

        Assert.Equal(chain.Deployed.CapabilitiesRegistry, registry.ReturnValue1.ToLowerInvariant());
        Assert.Equal(3379446385462418246UL, registry.ReturnValue2);
        Assert.Equal(ChainSelectors.DevNetwork1337, chain.Deployed.ChainSelector);
    }

    [Fact]
    public async Task On_a_chain_id_without_a_Chainlink_selector_the_CapabilitiesRegistry_stays_unrecorded()
    {
        await using var anvil = await CreAspire.Chain.Testing.AnvilProcess.StartAsync(_ct, chainId: 31338);
        var deployed = await RegistryDeployer.DeployAsync(anvil.RpcUrl, chain.Spec, _ct);

        var registry = await new WorkflowRegistryReader(ChainClients.ReadOnly(ChainClients.CreateRpcClient(anvil.RpcUrl)), deployed.WorkflowRegistry)
            .Service.GetCapabilitiesRegistryQueryAsync();

        Assert.Null(deployed.ChainSelector);
        Assert.Equal((Nethereum.Util.AddressUtil.ZERO_ADDRESS, 0UL), (registry.ReturnValue1, registry.ReturnValue2));
    }

    [Fact]
    public async Task Every_node_reads_back_its_signer_p2p_id_X25519_encryption_key_and_CSA_key()
    {
        var contents = await chain.Capabilities.ReadAsync(_ct);

        foreach (var expected in chain.Spec.Dons.SelectMany(d => d.Members))
        {
            var keys = NodeKeys.Derive("creaspire-dev", expected.Name);
            var node = Assert.Single(contents.Nodes, n => n.Signer == keys.Address);
            Assert.Equal(keys.P2pId, node.P2pId);
            Assert.Equal(32, node.EncryptionPublicKey.Length);
            Assert.Equal(keys.EncryptionPublicKey, node.EncryptionPublicKey);
            Assert.Equal(keys.CsaPublicKey, node.CsaKey);
            Assert.Equal(1U, node.NodeOperatorId);
        }

        var relay = Assert.Single(contents.Nodes, n => n.Signer == NodeKeys.Derive("creaspire-dev", "relay-0").Address);
        Assert.Equal([TopologySpec.RelayNodeCapability], relay.CapabilityIds);
    }

    [Fact]
    public async Task Default_topology_reads_back_identical_through_ChainTopologySource()
    {
        using var source = new ChainTopologySource(chain.Capabilities, TimeSpan.FromSeconds(2));

        var snapshot = await source.GetSnapshotAsync(_ct);

        foreach (var expected in chain.Spec.Dons)
        {
            var don = Assert.Single(snapshot.Dons, d => d.Name == expected.Name);
            Assert.Equal(chain.Deployed.DonIds[expected.Name], don.Id);
            Assert.Equal(expected.F, don.F);
            Assert.Equal(expected.Families, don.Families);
            Assert.Equal(expected.IsPublic, don.IsPublic);
            Assert.Equal(expected.AcceptsWorkflows, don.AcceptsWorkflows);
            Assert.Equal(expected.Members.Select(m => m.Signer.ToLowerInvariant()), don.Members);
            Assert.Equal(expected.Capabilities.Select(c => c.CapabilityId), don.Capabilities.Select(c => c.CapabilityId));
        }

        var wf0 = NodeKeys.Derive("creaspire-dev", "wf-0");
        var node = Assert.Single(snapshot.Nodes, n => n.Signer == wf0.Address);
        Assert.Equal("0x" + Convert.ToHexStringLower(wf0.P2pId), node.P2pId);
        Assert.Equal(["cron-trigger@1.0.0", "confidential-workflows@1.0.0-alpha"], node.CapabilityIds);
        Assert.Equal(Convert.ToHexStringLower(wf0.EncryptionPublicKey), node.EncryptionPublicKey);
        Assert.Equal("workflow", snapshot.WorkflowDonOf(wf0.Address)?.Name);
    }

    [Fact]
    public async Task The_relay_nodes_placeholder_capability_is_registered_but_no_DON_serves_it_so_no_node_launches_or_calls_it()
    {
        using var source = new ChainTopologySource(chain.Capabilities, TimeSpan.FromSeconds(2));
        var snapshot = await source.GetSnapshotAsync(_ct);

        // The real CapabilitiesRegistry refuses a node with no capabilities, so the relay nodes list the placeholder ...
        Assert.Contains(TopologySpec.RelayNodeCapability, snapshot.CapabilityIds);
        Assert.All(snapshot.Dons.Single(d => d.Name == TopologySpec.RelayDonName).Members,
            m => Assert.Equal([TopologySpec.RelayNodeCapability], snapshot.FindNode(m)!.CapabilityIds));
        // ... which no DON configures: the launcher plans neither a client nor a server for it, on any node, even one
        // claiming to have it locally.
        Assert.DoesNotContain(snapshot.Dons, d => d.Serves(TopologySpec.RelayNodeCapability));
        var local = snapshot.CapabilityIds.ToHashSet(StringComparer.Ordinal);
        foreach (var member in chain.Spec.Dons.SelectMany(d => d.Members))
        {
            var plan = CreAspire.Don.Launcher.LaunchPlan.Compute(snapshot, member.Signer, local);
            Assert.DoesNotContain(plan.RemoteCapabilities, t => t.CapabilityId == TopologySpec.RelayNodeCapability);
            Assert.DoesNotContain(plan.Served, s => s.CapabilityId == TopologySpec.RelayNodeCapability);
        }
    }

    [Fact]
    public async Task Fault_tolerance_above_what_the_members_allow_is_refused_in_a_sentence()
    {
        var relay = chain.Spec.Dons.Single(d => d.Name == "relay").Members;
        var don = new Cap.NewDONParams { Name = "too-few", DonFamilies = ["zone-a"], Nodes = relay.Take(2).Select(m => m.P2pId).ToList(), F = 2, IsPublic = true };

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => AddDonAsync(don));

        Assert.Equal("CapabilitiesRegistry.addDONs reverted with InvalidFaultTolerance(f: 2, nodeCount: 2)", ex.Message);
        Assert.Equal(new System.Numerics.BigInteger(2), ex.Argument("f"));
    }

    [Fact]
    public async Task A_node_cannot_join_a_second_workflow_DON()
    {
        var members = chain.Spec.Dons.Single(d => d.Name == "workflow").Members;
        var don = new Cap.NewDONParams { Name = "second-workflow-don", DonFamilies = ["zone-a"], Nodes = members.Select(m => m.P2pId).ToList(), F = 1, AcceptsWorkflows = true };

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => AddDonAsync(don));

        Assert.Equal("NodePartOfWorkflowDON", ex.ErrorName);
        Assert.Equal(members[0].P2pId, ex.Argument("nodeP2PId"));
    }

    [Fact]
    public async Task New_DON_with_capability_config_appears_once_a_refresh_after_the_interval_has_read_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var source = new ChainTopologySource(chain.Capabilities, TimeSpan.FromSeconds(5), clock);
        var before = await source.GetSnapshotAsync(_ct);
        var nodes = Enumerable.Range(0, 4).Select(i => NodeSpec.Derive("topology-test", $"extra-{i}")).ToArray();
        byte[] config = [0xca, 0xfe, 0x01];
        var spec = new TopologySpec([new DonSpec("extra", ["zone-b"], 1, true, false, nodes, [new DonCapabilitySpec("mock@1.0.0", config)])]);

        await Send("addNodes", () => chain.CapabilitiesAdmin.AddNodesRequestAndWaitForReceiptAsync(RegistryDeployer.NodeParams(spec), _ct));
        await AddDonAsync(new Cap.NewDONParams
        {
            Name = "extra-capability-don",
            DonFamilies = ["zone-b"],
            CapabilityConfigurations = [new Cap.CapabilityConfiguration { CapabilityId = "mock@1.0.0", Config = config }],
            Nodes = nodes.Select(n => n.P2pId).ToList(),
            F = 1,
            IsPublic = true,
        });

        Assert.Same(before, await source.GetSnapshotAsync(_ct));
        clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Same(before, await source.GetSnapshotAsync(_ct)); // served at once; a background refresh starts
        await source.Refreshing.WaitAsync(TimeSpan.FromSeconds(30), _ct);
        var extra = Assert.Single((await source.GetSnapshotAsync(_ct)).Dons, d => d.Name == "extra-capability-don");
        Assert.Equal(nodes.Select(n => n.Signer), extra.Members);
        Assert.Equal(["zone-b"], extra.Families);
        Assert.Equal(config, Assert.Single(extra.Capabilities).Config);
    }

    [Fact]
    public async Task A_reader_pointed_at_another_contract_says_which_typeAndVersion_it_found()
    {
        var wrong = new CapabilitiesRegistryReader(chain.Web3, chain.Deployed.WorkflowRegistry);

        var ex = await Assert.ThrowsAsync<UnsupportedRegistryException>(() => wrong.ReadAsync(_ct));

        Assert.Equal("WorkflowRegistry 2.0.0-dev", ex.Found);
        Assert.Contains($"The contract at {chain.Deployed.WorkflowRegistry} answers typeAndVersion() = 'WorkflowRegistry 2.0.0-dev', but CreAspire targets 'CapabilitiesRegistry 2.0.0-dev' (@chainlink/contracts 1.5.0)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Topology_with_nodes_lacking_32_byte_keys_is_refused_before_anything_is_sent()
    {
        var node = NodeSpec.Derive("topology-test", "keyless-0") with { EncryptionPublicKey = new byte[65] };
        var spec = new TopologySpec([new DonSpec("keyless", ["zone-a"], 0, true, false, [node], [new DonCapabilitySpec("mock@1.0.0")])]);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => RegistryDeployer.DeployAsync(chain.Anvil.RpcUrl, spec, _ct));

        Assert.Contains("Node 'keyless-0' of DON 'keyless' needs a 32-byte p2p id, encryption public key (X25519) and CSA key; got 32, 65 and 32 bytes", ex.Message, StringComparison.Ordinal);
    }

    private Task AddDonAsync(Cap.NewDONParams don) =>
        Send("addDONs", () => chain.CapabilitiesAdmin.AddDONsRequestAndWaitForReceiptAsync([don], _ct));

    private async Task Send(string function, Func<Task<Nethereum.RPC.Eth.DTOs.TransactionReceipt>> send)
    {
        var operation = "CapabilitiesRegistry." + function;
        var receipt = await ContractErrors.RunAsync(operation, Cap.CapabilitiesRegistryService.ErrorTypes, send);
        await ContractErrors.EnsureSucceededAsync(chain.CapabilitiesAdmin.Web3, receipt, operation, Cap.CapabilitiesRegistryService.ErrorTypes);
    }
}
