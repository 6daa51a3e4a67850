using System.Diagnostics;
using System.Net.Http.Json;
using System.Security.Cryptography;
using CreAspire.Don.Launcher;
using CreAspire.Don.Remote;
using CreAspire.Don.Tests.Infrastructure;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Mock;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;

namespace CreAspire.Don.Tests;

[Collection(PostgresCollection.Name)]
public sealed class RemoteCapabilityTests(PostgresFixture postgres)
{
    private static readonly NodeIdentity[] Workflow = TestTopology.Nodes("wf", 4);
    private static readonly NodeIdentity[] Capability = TestTopology.Nodes("cap", 4);
    private static readonly NodeIdentity[] Relay = TestTopology.Nodes("relay", 4);

    private static Protocol.Topology.RegistrySnapshot ThreeDons() => TestTopology.Snapshot(
        TestTopology.Don(1, "workflow", 1, Workflow, acceptsWorkflows: true),
        TestTopology.Don(2, "relay", 1, Relay),
        TestTopology.Don(3, "capability", 1, Capability, capabilities: [CapabilityIds.Mock, CapabilityIds.Vault]));

    /// <summary>A third of the timeouts: failing well before them means the call gave up as soon as quorum was impossible.</summary>
    private static readonly TimeSpan FailFastBound = DonNetwork.LongTimeout / 3;

    private async Task<(DonNetwork Network, CallerNode[] Workflow)> StartAsync(Func<int, string>? behavior = null)
    {
        var network = new DonNetwork(ThreeDons(), Capability);
        for (var i = 0; i < Capability.Length; i++)
        {
            var node = await network.StartCapabilityNodeAsync(Capability[i], await postgres.CreateDatabaseAsync($"cap{i}"), behavior?.Invoke(i) ?? "normal");
            await node.Get<CapabilityLauncher>().Ready.WaitAsync(TimeSpan.FromSeconds(10));
        }

        var callers = new List<CallerNode>();
        foreach (var wf in Workflow)
        {
            callers.Add(await network.StartCallerNodeAsync(wf));
        }

        return (network, [.. callers]);
    }

    [Fact]
    public async Task Workflow_DON_call_runs_once_on_each_capability_node_and_returns_the_agreed_answer()
    {
        var (network, callers) = await StartAsync();
        await using var _ = network;
        var executionId = Guid.NewGuid().ToString("N");

        var responses = await MockCalls.FromAllAsync(callers, () => MockCalls.Call(executionId, message: "ping"));

        var input = MockCalls.Call(executionId, message: "ping").Payload!.Value.ToByteArray();
        foreach (var response in responses)
        {
            var output = MockCalls.Output(response);
            Assert.Equal("ping", output.Message);
            Assert.Equal(SHA256.HashData(input), output.InputSha256.ToByteArray());
        }

        await Wait.UntilAsync(async () => (await Task.WhenAll(network.CapabilityNodes.Select(n => MockCalls.RecordsAsync(n, executionId)))).All(r => r.Count > 0),
            TimeSpan.FromSeconds(10), "every capability node to record the request");
        foreach (var node in network.CapabilityNodes)
        {
            var record = Assert.Single(await MockCalls.RecordsAsync(node, executionId));
            Assert.Equal(1, record.CallerDonId);
            Assert.True(record.CallerNodes.Length >= 2, $"executed with {record.CallerNodes.Length} requesters, F+1 = 2 required");
            Assert.All(record.CallerNodes, a => Assert.Contains(a, Workflow.Select(w => w.Address)));
            Assert.Equal(input, record.Payload);
        }

        using var http = new HttpClient { BaseAddress = network.CapabilityNodes[0].BaseUrl };
        var listed = await http.GetFromJsonAsync<List<Dictionary<string, object>>>($"/requests?execution_id={executionId}&capability_id={CapabilityIds.Mock}");
        Assert.Single(listed!);
    }

    [Fact]
    public async Task Answer_is_kept_for_a_late_member_and_dropped_once_every_member_has_it()
    {
        var (network, callers) = await StartAsync();
        await using var _ = network;
        var executionId = Guid.NewGuid().ToString("N");
        var servers = network.CapabilityNodes.Select(n => n.Get<RemoteCapabilityServer>()).ToArray();

        var early = await MockCalls.FromAllAsync(callers.Take(3), () => MockCalls.Call(executionId, message: "late"));
        // The callers return at F+1 answers; copies to the other nodes may still be in flight. Every node ends up holding
        // the request for wf-3, which has not asked yet.
        await Wait.UntilAsync(() => servers.All(s => s.PendingCount == 1), TimeSpan.FromSeconds(10), "every server to hold the request for the member that has not asked");
        var late = await callers[3].Registry.Get(CapabilityIds.Mock).ExecuteAsync(MockCalls.Call(executionId, message: "late"), CancellationToken.None);

        Assert.Equal(early[0].ToByteArray(), late.ToByteArray());
        await Wait.UntilAsync(() => servers.All(s => s.PendingCount == 0), TimeSpan.FromSeconds(10), "every server to drop the request all members have answered");
        Assert.Single(await MockCalls.RecordsAsync(network.CapabilityNodes[0], executionId));
    }

    [Fact]
    public async Task Call_succeeds_with_one_capability_node_stopped()
    {
        var (network, callers) = await StartAsync();
        await using var _ = network;
        await network.CapabilityNodes[2].StopAsync();
        var executionId = Guid.NewGuid().ToString("N");

        var responses = await MockCalls.FromAllAsync(callers, () => MockCalls.Call(executionId));

        Assert.All(responses, r => Assert.Equal("hello", MockCalls.Output(r).Message));
    }

    [Fact]
    public async Task Call_fails_fast_with_a_quorum_error_when_no_F_plus_1_identical_answers_remain()
    {
        // Two nodes down and one of the two left answering differently: at most 1 identical answer of the 2 needed.
        var (network, callers) = await StartAsync(i => i == 3 ? "different" : "normal");
        await using var _ = network;
        await network.CapabilityNodes[0].StopAsync();
        await network.CapabilityNodes[1].StopAsync();
        var executionId = Guid.NewGuid().ToString("N");
        var stopwatch = Stopwatch.StartNew();

        var error = await Assert.ThrowsAsync<CapabilityQuorumException>(() => MockCalls.FromAllAsync(callers, () => MockCalls.Call(executionId)));

        Assert.True(stopwatch.Elapsed < FailFastBound, $"took {stopwatch.Elapsed}; the request and quorum timeouts are {DonNetwork.LongTimeout}, a fast failure must not wait for them");
        Assert.Contains("quorum unobtainable", error.Message, StringComparison.Ordinal);
        Assert.Contains("2 of 4 nodes failed, need 2 identical responses, best has 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_fails_fast_when_three_capability_nodes_are_stopped()
    {
        var (network, callers) = await StartAsync();
        await using var _ = network;
        for (var i = 0; i < 3; i++)
        {
            await network.CapabilityNodes[i].StopAsync();
        }

        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<CapabilityQuorumException>(() => callers[0].Registry.Get(CapabilityIds.Mock).ExecuteAsync(MockCalls.Call("x"), CancellationToken.None));

        Assert.True(stopwatch.Elapsed < FailFastBound, $"took {stopwatch.Elapsed}; the request and quorum timeouts are {DonNetwork.LongTimeout}, a fast failure must not wait for them");
        Assert.Contains("3 of 4 nodes failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_answering_differently_is_outvoted()
    {
        var (network, callers) = await StartAsync(i => i == 1 ? "different" : "normal");
        await using var _ = network;

        var executionId = Guid.NewGuid().ToString("N");
        var responses = await MockCalls.FromAllAsync(callers, () => MockCalls.Call(executionId, message: "honest"));

        Assert.All(responses, r => Assert.Equal("honest", MockCalls.Output(r).Message));
    }

    [Fact]
    public async Task Node_answering_with_an_error_is_outvoted()
    {
        var (network, callers) = await StartAsync(i => i == 0 ? "error" : "normal");
        await using var _ = network;

        var executionId = Guid.NewGuid().ToString("N");
        var responses = await MockCalls.FromAllAsync(callers, () => MockCalls.Call(executionId));

        Assert.All(responses, r => Assert.Equal("hello", MockCalls.Output(r).Message));
    }

    [Fact]
    public async Task A_single_caller_does_not_reach_quorum_and_expires_with_an_error()
    {
        var network = new DonNetwork(ThreeDons(), Capability);
        await using var _ = network;
        var settings = new Dictionary<string, string?> { ["Don:RemoteCapabilities:QuorumTimeout"] = "00:00:01" };
        for (var i = 0; i < Capability.Length; i++)
        {
            var node = await network.StartCapabilityNodeAsync(Capability[i], await postgres.CreateDatabaseAsync($"cap{i}"), extra: settings);
            await node.Get<CapabilityLauncher>().Ready.WaitAsync(TimeSpan.FromSeconds(10));
        }

        var caller = await network.StartCallerNodeAsync(Workflow[0]);
        var executionId = Guid.NewGuid().ToString("N");

        var error = await Assert.ThrowsAsync<CapabilityQuorumException>(() => caller.Registry.Get(CapabilityIds.Mock).ExecuteAsync(MockCalls.Call(executionId), CancellationToken.None));

        Assert.Contains("quorum not reached", error.Message, StringComparison.Ordinal);
        Assert.Contains("received 1 of 2 required identical requests from DON 1", error.Message, StringComparison.Ordinal);
        Assert.Empty(await MockCalls.RecordsAsync(network.CapabilityNodes[0], executionId));
    }

    [Fact]
    public async Task Relay_DON_calls_the_capability_and_is_recorded_as_the_calling_DON()
    {
        var (network, _) = await StartAsync();
        await using var __ = network;
        var relays = new List<CallerNode>();
        foreach (var relay in Relay)
        {
            relays.Add(await network.StartCallerNodeAsync(relay));
        }

        var executionId = Guid.NewGuid().ToString("N");
        var responses = await MockCalls.FromAllAsync(relays, () => MockCalls.Call(executionId, message: "via relay"));

        Assert.All(responses, r => Assert.Equal("via relay", MockCalls.Output(r).Message));
        await Wait.UntilAsync(async () => (await MockCalls.RecordsAsync(network.CapabilityNodes[0], executionId)).Count > 0, TimeSpan.FromSeconds(10), "the record");
        var record = Assert.Single(await MockCalls.RecordsAsync(network.CapabilityNodes[0], executionId));
        Assert.Equal(2, record.CallerDonId);
        Assert.All(record.CallerNodes, a => Assert.Contains(a, Relay.Select(r => r.Address)));
    }

    [Fact]
    public async Task Relay_calling_for_a_workflow_DON_execution_calls_as_its_own_DON()
    {
        var (network, _) = await StartAsync();
        await using var __ = network;
        var relays = new List<CallerNode>();
        foreach (var relay in Relay)
        {
            relays.Add(await network.StartCallerNodeAsync(relay));
        }

        var executionId = Guid.NewGuid().ToString("N");
        var responses = await MockCalls.FromAllAsync(relays, () => MockCalls.Call(executionId, workflowDonId: 1));

        Assert.All(responses, r => Assert.Equal("hello", MockCalls.Output(r).Message));
        await Wait.UntilAsync(async () => (await MockCalls.RecordsAsync(network.CapabilityNodes[0], executionId)).Count > 0, TimeSpan.FromSeconds(10), "the record");
        Assert.Equal(2, Assert.Single(await MockCalls.RecordsAsync(network.CapabilityNodes[0], executionId)).CallerDonId);
    }

    [Fact]
    public async Task Members_of_another_DON_claiming_to_call_for_it_are_rejected_and_logged()
    {
        var (network, _) = await StartAsync();
        await using var __ = network;
        var relay = await network.StartCallerNodeAsync(Relay[0]);
        var capabilityDon = ThreeDons().FindDon(3)!;

        // A client that trusts metadata.WorkflowDonId (no membership set): relay nodes claim the workflow DON (1).
        var client = new RemoteCapabilityClient(CapabilityIds.Mock, capabilityDon, 2, relay.Services.GetRequiredService<Transport.DonTransportClient>(),
            new RemoteCapabilityOptions(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var error = await Assert.ThrowsAsync<CapabilityQuorumException>(() => client.ExecuteAsync(MockCalls.Call("claims-wf", workflowDonId: 1), CancellationToken.None));

        Assert.Contains($"sender {Relay[0].Address} is not a member of DON 1", error.Message, StringComparison.Ordinal);
        Assert.True(network.Logs.Contains(Microsoft.Extensions.Logging.LogLevel.Warning, $"sender {Relay[0].Address} is not a member of DON 1"));
    }
}
