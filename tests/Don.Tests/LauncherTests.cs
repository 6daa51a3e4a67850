using CreAspire.Don.Launcher;
using CreAspire.Don.Remote;
using CreAspire.Don.Tests.Infrastructure;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Sdk;
using Microsoft.Extensions.DependencyInjection;

namespace CreAspire.Don.Tests;

/// <summary>The launcher's classification (pure) and its effect on live nodes.</summary>
[Collection(PostgresCollection.Name)]
public sealed class LauncherTests(PostgresFixture postgres)
{
    private static readonly NodeIdentity[] Workflow = TestTopology.Nodes("wf", 4);
    private static readonly NodeIdentity[] Relay = TestTopology.Nodes("relay", 4);
    private static readonly NodeIdentity[] Capability = TestTopology.Nodes("cap", 4);
    private static readonly HashSet<string> MockAndVault = [CapabilityIds.Mock, CapabilityIds.Vault];

    private static LaunchPlan PlanFor(NodeIdentity node, Protocol.Topology.RegistrySnapshot snapshot, IReadOnlySet<string>? local = null) =>
        LaunchPlan.Compute(snapshot, node.Address, local ?? new HashSet<string>());

    [Fact]
    public void Workflow_DON_and_capability_DON_call_and_serve_each_other()
    {
        var snapshot = TestTopology.Snapshot(
            TestTopology.Don(1, "workflow", 1, Workflow, acceptsWorkflows: true),
            TestTopology.Don(3, "capability", 1, Capability, capabilities: [CapabilityIds.Mock, CapabilityIds.Vault]));

        var workflowPlan = PlanFor(Workflow[0], snapshot);
        var capabilityPlan = PlanFor(Capability[0], snapshot, MockAndVault);

        Assert.Equal([1u], workflowPlan.MyWorkflowDons.Select(d => d.Id));
        Assert.Equal([3u], workflowPlan.RemoteCapabilityDons.Select(d => d.Id));
        Assert.Empty(workflowPlan.Served);
        Assert.Equal([(CapabilityIds.Mock, 3u, 1u), (CapabilityIds.Vault, 3u, 1u)],
            workflowPlan.RemoteCapabilities.Select(t => (t.CapabilityId, t.CapabilityDon.Id, t.LocalDonId)));

        Assert.Equal([1u], capabilityPlan.RemoteWorkflowDons.Select(d => d.Id));
        Assert.Equal([3u], capabilityPlan.MyCapabilityDons.Select(d => d.Id));
        Assert.All(capabilityPlan.Served, s => Assert.Equal([1u, 3u], s.AllowedCallerDons.Order()));
        Assert.Equal(MockAndVault, capabilityPlan.Served.Select(s => s.CapabilityId).ToHashSet());
    }

    [Fact]
    public void Relay_DON_gets_remote_capabilities_and_is_served()
    {
        var snapshot = TestTopology.Snapshot(
            TestTopology.Don(1, "workflow", 1, Workflow, acceptsWorkflows: true),
            TestTopology.Don(2, "relay", 1, Relay),
            TestTopology.Don(3, "capability", 1, Capability, capabilities: [CapabilityIds.Mock, CapabilityIds.Vault]));

        var relayPlan = PlanFor(Relay[0], snapshot);
        var capabilityPlan = PlanFor(Capability[0], snapshot, MockAndVault);

        Assert.Empty(relayPlan.MyWorkflowDons);
        Assert.Equal([1u], relayPlan.RemoteWorkflowDons.Select(d => d.Id));
        Assert.All(relayPlan.RemoteCapabilities, t => Assert.Equal((3u, 2u), (t.CapabilityDon.Id, t.LocalDonId)));
        Assert.Equal(2, relayPlan.RemoteCapabilities.Count);
        Assert.All(capabilityPlan.Served, s => Assert.Equal([1u, 2u, 3u], s.AllowedCallerDons.Order()));
    }

    [Fact]
    public void Single_DON_serves_its_own_members_instead_of_an_empty_caller_set()
    {
        var snapshot = TestTopology.Snapshot(TestTopology.Don(1, "all-in-one", 1, Workflow, acceptsWorkflows: true, capabilities: [CapabilityIds.Mock]));

        var plan = PlanFor(Workflow[0], snapshot, new HashSet<string> { CapabilityIds.Mock });

        Assert.Empty(plan.RemoteWorkflowDons);
        Assert.Equal([1u], plan.MyWorkflowDons.Select(d => d.Id));
        var served = Assert.Single(plan.Served);
        Assert.Equal([1u], served.AllowedCallerDons);
        var target = Assert.Single(plan.RemoteCapabilities);
        Assert.Equal((1u, 1u), (target.CapabilityDon.Id, target.LocalDonId));
    }

    [Fact]
    public void DON_family_mismatch_neither_calls_nor_serves()
    {
        var snapshot = TestTopology.Snapshot(
            TestTopology.Don(1, "workflow", 1, Workflow, acceptsWorkflows: true, families: ["family-a"]),
            TestTopology.Don(3, "capability", 1, Capability, families: ["family-b"], capabilities: [CapabilityIds.Mock]));

        var workflowPlan = PlanFor(Workflow[0], snapshot);
        var capabilityPlan = PlanFor(Capability[0], snapshot, MockAndVault);

        Assert.Empty(workflowPlan.RemoteCapabilityDons);
        Assert.Empty(workflowPlan.RemoteCapabilities);
        Assert.Empty(capabilityPlan.RemoteWorkflowDons);
        Assert.Equal([3u], Assert.Single(capabilityPlan.Served).AllowedCallerDons);
    }

    [Fact]
    public void Private_capability_DON_is_not_used_remotely()
    {
        var snapshot = TestTopology.Snapshot(
            TestTopology.Don(1, "workflow", 1, Workflow, acceptsWorkflows: true),
            TestTopology.Don(3, "capability", 1, Capability, isPublic: false, capabilities: [CapabilityIds.Mock]));

        Assert.Empty(PlanFor(Workflow[0], snapshot).RemoteCapabilities);
    }

    [Fact]
    public async Task Single_DON_topology_calls_its_own_capability_through_F_plus_1_of_its_members()
    {
        var snapshot = TestTopology.Snapshot(TestTopology.Don(1, "all-in-one", 1, Capability, acceptsWorkflows: true, capabilities: [CapabilityIds.Mock, CapabilityIds.Vault]));
        await using var network = new DonNetwork(snapshot, Capability);
        for (var i = 0; i < Capability.Length; i++)
        {
            var started = await network.StartCapabilityNodeAsync(Capability[i], await postgres.CreateDatabaseAsync($"single{i}"));
            await started.Get<CapabilityLauncher>().Ready.WaitAsync(TimeSpan.FromSeconds(10));
        }

        var executionId = Guid.NewGuid().ToString("N");
        var responses = await Task.WhenAll(network.CapabilityNodes.Select(n =>
            n.Get<ICapabilityRegistry>().Get(CapabilityIds.Mock).ExecuteAsync(MockCalls.Call(executionId, message: "self"), CancellationToken.None)));

        Assert.All(responses, r => Assert.Equal("self", MockCalls.Output(r).Message));
        await Wait.UntilAsync(async () => (await Task.WhenAll(network.CapabilityNodes.Select(n => MockCalls.RecordsAsync(n, executionId)))).All(r => r.Count == 1),
            TimeSpan.FromSeconds(10), "every node to record the call once");
        var record = Assert.Single(await MockCalls.RecordsAsync(network.CapabilityNodes[0], executionId));
        Assert.Equal(1, record.CallerDonId);
    }

    [Fact]
    public async Task Caller_opens_its_sessions_to_the_capability_DON_when_it_plans_the_calls_not_on_the_first_call()
    {
        var snapshot = TestTopology.Snapshot(
            TestTopology.Don(1, "workflow", 1, Workflow, acceptsWorkflows: true),
            TestTopology.Don(3, "capability", 1, Capability, capabilities: [CapabilityIds.Mock, CapabilityIds.Vault]));
        await using var network = new DonNetwork(snapshot, Capability);
        for (var i = 0; i < Capability.Length; i++)
        {
            var started = await network.StartCapabilityNodeAsync(Capability[i], await postgres.CreateDatabaseAsync($"warm{i}"));
            await started.Get<CapabilityLauncher>().Ready.WaitAsync(TimeSpan.FromSeconds(10));
        }

        var caller = await network.StartCallerNodeAsync(Workflow[0]);
        await caller.Launcher.RefreshAsync(CancellationToken.None);
        var transport = caller.Services.GetRequiredService<Transport.DonTransportClient>();

        // No call has been made: the four sessions (one per capability node) open in the background.
        await Wait.UntilAsync(() => transport.OpenSessionCount == Capability.Length, TimeSpan.FromSeconds(20), "a session to every capability node");

        // A later refresh keeps them (no second handshake for sessions that are open).
        await caller.Launcher.RefreshAsync(CancellationToken.None);
        Assert.Equal(Capability.Length, transport.OpenSessionCount);
    }

    [Fact]
    public async Task Family_mismatched_DON_is_refused_by_the_capability_DON()
    {
        var snapshot = TestTopology.Snapshot(
            TestTopology.Don(1, "workflow", 1, Workflow, acceptsWorkflows: true, families: ["family-a"]),
            TestTopology.Don(3, "capability", 1, Capability, families: ["family-b"], capabilities: [CapabilityIds.Mock]));
        await using var network = new DonNetwork(snapshot, Capability);
        for (var i = 0; i < Capability.Length; i++)
        {
            var started = await network.StartCapabilityNodeAsync(Capability[i], await postgres.CreateDatabaseAsync($"family{i}"));
            await started.Get<CapabilityLauncher>().Ready.WaitAsync(TimeSpan.FromSeconds(10));
        }

        var caller = await network.StartCallerNodeAsync(Workflow[0]);
        Assert.False(caller.Registry.TryGet(CapabilityIds.Mock, out _));

        // Forcing the call anyway: every capability node refuses it.
        var forced = new RemoteCapabilityClient(CapabilityIds.Mock, snapshot.FindDon(3)!, 1, caller.Services.GetRequiredService<Transport.DonTransportClient>(), new RemoteCapabilityOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var error = await Assert.ThrowsAsync<CapabilityQuorumException>(() => forced.ExecuteAsync(MockCalls.Call("forced"), CancellationToken.None));
        Assert.Contains("DON 1 (workflow) is not allowed to call mock@1.0.0 on DON 3 (no shared DON family)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Refresh_follows_registry_changes_and_never_replaces_local_capabilities()
    {
        var withoutCapabilityDon = TestTopology.Snapshot(TestTopology.Don(1, "workflow", 1, Workflow, acceptsWorkflows: true));
        await using var network = new DonNetwork(withoutCapabilityDon, []);
        var caller = await network.StartCallerNodeAsync(Workflow[0]);
        Assert.Empty(caller.Registry.Ids);

        var local = new LocalEcho(CapabilityIds.Vault);
        caller.Registry.AddOrReplace(local);
        network.Topology.Snapshot = TestTopology.Snapshot(
            TestTopology.Don(1, "workflow", 1, Workflow, acceptsWorkflows: true),
            TestTopology.Don(3, "capability", 1, Capability, capabilities: [CapabilityIds.Mock, CapabilityIds.Vault]));
        await caller.Launcher.RefreshAsync(CancellationToken.None);

        Assert.IsType<RemoteCapabilityClient>(caller.Registry.Get(CapabilityIds.Mock));
        Assert.Same(local, caller.Registry.Get(CapabilityIds.Vault));

        network.Topology.Snapshot = withoutCapabilityDon;
        await caller.Launcher.RefreshAsync(CancellationToken.None);

        Assert.False(caller.Registry.TryGet(CapabilityIds.Mock, out _));
        Assert.Same(local, caller.Registry.Get(CapabilityIds.Vault));
    }

    private sealed class LocalEcho(string id) : IExecutableCapability
    {
        public string Id { get; } = id;

        public Task<CapabilityResponse> ExecuteAsync(CapabilityCall call, CancellationToken cancellationToken) =>
            Task.FromResult(new CapabilityResponse { Error = "local" });
    }
}
