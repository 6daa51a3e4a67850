using System.Diagnostics;
using CreAspire.Don.Launcher;
using CreAspire.Don.Tests.Infrastructure;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Telemetry;
using CreAspire.Telemetry.Testing;
using Xunit.Abstractions;

namespace CreAspire.Don.Tests.Tracing;

// Four workflow nodes (F=1) call mock@1.0.0 on four capability nodes (F=1) through real DON sessions, each from its own
// span in the execution's trace: every hop and the capability nodes' quorum must be visible in that one trace.
[Collection(PostgresCollection.Name)]
public sealed class RemoteCapabilityTracingTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private static readonly ActivitySource Tests = new("CreAspire.Tests.Don");
    private static readonly NodeIdentity[] Workflow = TestTopology.Nodes("wf", 4);
    private static readonly NodeIdentity[] Capability = TestTopology.Nodes("cap", 4);

    [Fact]
    public async Task A_call_from_the_workflow_DON_is_one_trace_from_each_caller_through_every_capability_node_to_one_execution_per_node()
    {
        await using var network = new DonNetwork(TestTopology.Snapshot(
            TestTopology.Don(1, "workflow", 1, Workflow, acceptsWorkflows: true),
            TestTopology.Don(3, "capability", 1, Capability, capabilities: [CapabilityIds.Mock, CapabilityIds.Vault])), Capability);
        for (var i = 0; i < Capability.Length; i++)
        {
            var node = await network.StartCapabilityNodeAsync(Capability[i], await postgres.CreateDatabaseAsync($"trace-cap{i}"));
            await node.Get<CapabilityLauncher>().Ready.WaitAsync(TimeSpan.FromSeconds(10));
        }

        var callers = new List<CallerNode>();
        foreach (var wf in Workflow)
        {
            callers.Add(await network.StartCallerNodeAsync(wf));
        }

        using var collector = new ActivityCollector();
        using var meter = new MeterCollector(DonTelemetry.Name);
        var executionId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        var traceId = ExecutionTrace.TraceIdOf(executionId);

        // Each node calls from its own root span of the execution's trace, as workflow.execute does.
        await Task.WhenAll(callers.Select(async caller =>
        {
            using var execute = Tests.StartActivity("test.execute", ActivityKind.Internal, ExecutionTrace.RootOf(executionId))!;
            execute.SetTag("node.address", caller.Identity.Address);
            await caller.Registry.Get(CapabilityIds.Mock).ExecuteAsync(MockCalls.Call(executionId, message: "traced"), CancellationToken.None);
        }));

        var spans = await collector.WaitForTraceAsync(traceId,
            s => s.Count(x => x.Name == "don.request") == 16 && s.Count(x => x.Name == "don.serve mock@1.0.0") == 16 && s.Count(x => x.Name == "capability.execute mock@1.0.0") == 4,
            "16 requests served and one execution on each of the 4 capability nodes");
        output.WriteLine(TraceTree.Render(spans));
        var tree = new TraceTree(spans);
        new TraceExpectation()
            .Span("don.call mock@1.0.0", under: "test.execute", minNodes: 4)
            .Span("don.request", under: "don.call mock@1.0.0", minCount: 16)
            .Span("don.serve mock@1.0.0", under: "don.request", minNodes: 4, minCount: 16)
            .Span("capability.execute mock@1.0.0", under: "don.serve mock@1.0.0", minNodes: 4, exactly: 4)
            .Verify(spans);

        var calls = tree.Named("don.call mock@1.0.0");
        Assert.Equal(Workflow.Select(w => w.Address).Order(), calls.Select(c => c.Attribute("node.address")).Order());
        Assert.All(calls, c =>
        {
            Assert.Equal("test.execute", tree.ParentOf(c)!.Name);
            Assert.Equal("3", c.Attribute("don.id"));
            Assert.Equal("1", c.Attribute("don.caller_id"));
            Assert.Equal("2", c.Attribute("quorum.required"));
            Assert.Equal("reached", c.Attribute("quorum.outcome"));
            Assert.Equal(executionId, c.Attribute("workflow.execution_id"));
        });

        // Session requests: each don.serve is the child of the don.request sent to its node, from the node it names as sender.
        var requests = tree.Named("don.request").ToDictionary(r => r.SpanId);
        var serves = tree.Named("don.serve mock@1.0.0");
        Assert.All(serves, serve =>
        {
            var request = requests[serve.ParentSpanId!];
            Assert.Equal(serve.Attribute("node.address"), request.Attribute("peer.address"));
            Assert.Equal(serve.Attribute("peer.address"), tree.ParentOf(request)!.Attribute("node.address"));
        });

        // The quorum on each capability node: one execution, child of the request that completed the quorum; every other
        // request of that node is linked to it, one way or the other.
        var executions = tree.Named("capability.execute mock@1.0.0");
        Assert.Equal(Capability.Select(c => c.Address).Order(), executions.Select(e => e.Attribute("node.address")).Order());
        foreach (var execution in executions)
        {
            var node = execution.Attribute("node.address");
            var starter = tree.ParentOf(execution)!;
            Assert.Equal("don.serve mock@1.0.0", starter.Name);
            Assert.Equal(node, starter.Attribute("node.address"));
            Assert.Equal("started", starter.Attribute("quorum.role"));
            var members = execution.Links.Where(l => (string?)l.Attributes[TelemetryTags.LinkRelation] == "quorum_member").Select(l => l.SpanId).ToHashSet();
            Assert.NotEmpty(members);
            foreach (var serve in serves.Where(s => s.Attribute("node.address") == node && s.SpanId != starter.SpanId))
            {
                Assert.Equal("joined", serve.Attribute("quorum.role"));
                var linkedToExecution = serve.Links.Any(l => l.SpanId == execution.SpanId && (string?)l.Attributes[TelemetryTags.LinkRelation] == "executed_by");
                Assert.True(members.Contains(serve.SpanId) || linkedToExecution, $"request {serve.SpanId} on {node} is not linked to the execution {execution.SpanId}");
            }
        }

        // Session answers: each answer carries the answering node's execution span, linked from the request.
        var executionOf = executions.ToDictionary(e => e.Attribute("node.address")!, e => e.SpanId);
        Assert.All(requests.Values, request =>
            Assert.Contains(request.Links, l => l.SpanId == executionOf[request.Attribute("peer.address")!] && (string?)l.Attributes[TelemetryTags.LinkRelation] == "answered_by"));

        // Meter listeners are process-wide: other tests may add measurements, never remove them.
        Assert.True(meter.Count(DonTelemetry.CallDurationInstrument, ("capability.id", CapabilityIds.Mock), ("outcome", "reached")) >= 4);
        Assert.True(meter.Sum(DonTelemetry.ExecutionsInstrument, ("capability.id", CapabilityIds.Mock), ("outcome", "succeeded")) >= 4);
    }
}
