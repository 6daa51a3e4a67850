using CreAspire.Chain.Contracts;
using CreAspire.Chain.Crypto;
using CreAspire.Chain.Deployment;
using CreAspire.Chain.Registries;
using CreAspire.Don.Topology;
using Microsoft.Extensions.Time.Testing;

namespace CreAspire.Chain.Tests.Registries;

[Collection(AnvilCollection.Name)]
public class TopologyRegistrationTests(AnvilChainFixture chain)
{
    private readonly CancellationToken _ct = AnvilChainFixture.Timeout();

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
            Assert.All(don.Capabilities, c => Assert.Empty(c.Config));
        }

        var wf0 = EthKey.Derive("creaspire-dev", "wf-0").Address;
        var node = Assert.Single(snapshot.Nodes, n => n.Signer == wf0);
        Assert.Equal(Hex.Encode0x(NodeSpec.P2pIdOf(EthKey.Derive("creaspire-dev", "wf-0"))), node.P2pId);
        Assert.Equal(["cron-trigger@1.0.0", "confidential-workflows@1.0.0-alpha"], node.CapabilityIds);
        Assert.Equal(Hex.Encode(EthKey.Derive("creaspire-dev", "wf-0").PublicKey), node.EncryptionPublicKey);
        Assert.Equal("workflow", snapshot.WorkflowDonOf(wf0)?.Name);
        Assert.Superset(new HashSet<string> { "cron-trigger@1.0.0", "confidential-workflows@1.0.0-alpha", "mock@1.0.0", "vault@1.0.0" }, snapshot.CapabilityIds.ToHashSet());
    }

    [Fact]
    public async Task Fault_tolerance_above_what_the_members_allow_is_refused()
    {
        var relay = chain.Spec.Dons.Single(d => d.Name == "relay").Members;
        var don = new DonRegistration("too-few", ["zone-a"], [], [], relay.Take(3).Select(m => m.P2pId).ToArray(), 1, true, false);

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Capabilities.AddDonsAsync(chain.Admin, [don], _ct));

        Assert.Equal("InvalidFaultTolerance(f: 1, nodeCount: 3)", ex.Error?.ToString());
    }

    [Fact]
    public async Task A_node_cannot_join_a_second_workflow_DON()
    {
        var workflowMembers = chain.Spec.Dons.Single(d => d.Name == "workflow").Members;
        var don = new DonRegistration("second-workflow-don", ["zone-a"], [], [], workflowMembers.Select(m => m.P2pId).ToArray(), 1, false, true);

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Capabilities.AddDonsAsync(chain.Admin, [don], _ct));

        Assert.Equal($"NodePartOfWorkflowDON(donId: 1, p2pId: {Hex.Encode0x(workflowMembers[0].P2pId)})", ex.Error?.ToString());
    }

    [Fact]
    public async Task New_DON_with_capability_config_appears_once_a_refresh_after_the_interval_has_read_it()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var source = new ChainTopologySource(chain.Capabilities, TimeSpan.FromSeconds(5), clock);
        var before = await source.GetSnapshotAsync(_ct);
        var nodes = Enumerable.Range(0, 4).Select(i => NodeSpec.Derive("topology-test", $"extra-{i}")).ToArray();
        byte[] config = [0xca, 0xfe, 0x01];

        await chain.Capabilities.AddNodesAsync(chain.Admin, nodes.Select(n => new NodeRegistration(n.Signer, n.P2pId, ["mock@1.0.0"]) { EncryptionPublicKey = n.EncryptionPublicKey }), _ct);
        await chain.Capabilities.AddDonsAsync(chain.Admin,
            [new DonRegistration("extra-capability-don", ["zone-b"], [], [new CapabilityConfiguration("mock@1.0.0", config)], nodes.Select(n => n.P2pId).ToArray(), 1, true, false)], _ct);

        Assert.Same(before, await source.GetSnapshotAsync(_ct));
        clock.Advance(TimeSpan.FromSeconds(6));
        Assert.Same(before, await source.GetSnapshotAsync(_ct)); // served at once; a background refresh starts
        await source.Refreshing.WaitAsync(TimeSpan.FromSeconds(30), _ct);
        var after = await source.GetSnapshotAsync(_ct);
        var extra = Assert.Single(after.Dons, d => d.Name == "extra-capability-don");
        Assert.Equal(nodes.Select(n => n.Signer), extra.Members);
        Assert.Equal(["zone-b"], extra.Families);
        Assert.Equal(config, Assert.Single(extra.Capabilities).Config);
    }

    [Fact]
    public async Task Every_registered_node_reads_back_its_encryption_public_key()
    {
        var nodes = await chain.Capabilities.GetNodesAsync(_ct);

        foreach (var expected in chain.Spec.Dons.SelectMany(d => d.Members))
        {
            var node = Assert.Single(nodes, n => n.Signer == expected.Signer.ToLowerInvariant());
            Assert.Equal(65, node.EncryptionPublicKey.Length);
            Assert.Equal(expected.EncryptionPublicKey, node.EncryptionPublicKey);
            Assert.Equal(EthKey.Derive("creaspire-dev", expected.Name).PublicKey, node.EncryptionPublicKey);
        }
    }

    [Fact]
    public async Task A_node_without_an_uncompressed_encryption_public_key_is_refused()
    {
        var node = NodeSpec.Derive("topology-test", "keyless-0");
        var compressed = new byte[33];
        compressed[0] = 0x02;

        var missing = await Assert.ThrowsAsync<ContractRevertException>(() =>
            chain.Capabilities.AddNodesAsync(chain.Admin, [new NodeRegistration(node.Signer, node.P2pId, ["mock@1.0.0"])], _ct));
        var wrongForm = await Assert.ThrowsAsync<ContractRevertException>(() =>
            chain.Capabilities.AddNodesAsync(chain.Admin, [new NodeRegistration(node.Signer, node.P2pId, ["mock@1.0.0"]) { EncryptionPublicKey = compressed }], _ct));

        Assert.Equal($"InvalidNodeEncryptionPublicKey(p2pId: {Hex.Encode0x(node.P2pId)})", missing.Error?.ToString());
        Assert.Equal($"InvalidNodeEncryptionPublicKey(p2pId: {Hex.Encode0x(node.P2pId)})", wrongForm.Error?.ToString());
    }

    [Fact]
    public async Task Capability_ids_must_have_a_version()
    {
        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Capabilities.AddCapabilitiesAsync(chain.Admin, ["no-version"], _ct));

        Assert.Equal("InvalidCapabilityId(capabilityId: \"no-version\")", ex.Error?.ToString());
    }
}

[Collection(AnvilCollection.Name)]
public class SingleDonDeploymentTests(AnvilChainFixture chain)
{
    [Fact]
    public async Task Single_DON_topology_that_is_both_workflow_and_capability_DON_deploys_on_a_used_chain()
    {
        var ct = AnvilChainFixture.Timeout();
        var node = NodeSpec.Derive("single-don-test", "solo-0");
        var spec = new TopologySpec(
        [
            new DonSpec("solo", ["zone-solo"], 0, true, true, [node],
                [new DonCapabilitySpec("cron-trigger@1.0.0"), new DonCapabilitySpec("mock@1.0.0", [0x01, 0x02])]),
        ]);

        var deployed = await RegistryDeployer.DeployAsync(chain.Anvil.RpcUrl, spec, ct);
        using var source = new ChainTopologySource(new CapabilitiesRegistry(chain.Rpc, deployed.CapabilitiesRegistry), TimeSpan.FromSeconds(1));
        var snapshot = await source.GetSnapshotAsync(ct);

        Assert.NotEqual(chain.Deployed.CapabilitiesRegistry, deployed.CapabilitiesRegistry);
        var don = Assert.Single(snapshot.Dons);
        Assert.Equal((0, true, true), (don.F, don.AcceptsWorkflows, don.IsPublic));
        Assert.Equal([node.Signer], don.Members);
        Assert.Equal(new byte[] { 0x01, 0x02 }, don.Capabilities.Single(c => c.CapabilityId == "mock@1.0.0").Config);
        var workflows = new WorkflowRegistry(chain.Rpc, deployed.WorkflowRegistry);
        Assert.Equal((100U, true), await workflows.GetDonLimitAsync("zone-solo", ct));
        Assert.True(await workflows.IsOwnerLinkedAsync(deployed.WorkflowOwner, ct));
    }

    [Fact]
    public async Task Topology_with_too_few_members_for_F_is_refused_before_sending_anything()
    {
        var spec = new TopologySpec([new DonSpec("weak", ["zone-a"], 1, true, false, [NodeSpec.Derive("x", "y")], [])]);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => RegistryDeployer.DeployAsync(chain.Anvil.RpcUrl, spec, AnvilChainFixture.Timeout()));

        Assert.Contains("DON 'weak' has 1 members but F=1 needs at least 4 (3F+1)", ex.Message, StringComparison.Ordinal);
    }
}
