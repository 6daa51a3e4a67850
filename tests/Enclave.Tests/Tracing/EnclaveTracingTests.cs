using System.Diagnostics;
using System.Net;
using CreAspire.Chain.Identity;
using CreAspire.Protocol.Confidential;
using CreAspire.Enclave.Quorum;
using CreAspire.Protocol.Enclave;
using CreAspire.Protocol.Telemetry;
using CreAspire.Telemetry.Testing;
using Xunit.Abstractions;

namespace CreAspire.Enclave.Tests.Tracing;

// The enclave on a loopback port (workflow DON of 4, F=1) and the test gateway: compute requests arrive with the workflow
// nodes' trace context in their HTTP headers; the one run joins the trace under the request that completed the quorum and
// links the others; its calls to the gateway and its artifact fetch carry the run's context on.
public sealed class EnclaveTracingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly ActivitySource Tests = new("CreAspire.Tests.Enclave");
    private EnclaveHost _host = null!;

    public async Task InitializeAsync() => _host = await EnclaveHost.StartAsync(kestrel: true);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task The_run_is_a_child_of_the_request_completing_the_quorum_links_the_earlier_one_and_a_late_request_links_to_the_run()
    {
        using var collector = new ActivityCollector();
        var executionId = NewExecutionId();
        var traceId = ExecutionTrace.TraceIdOf(executionId);
        _host.Gateway.Secrets["MOCK_SECRET"] = "traced-secret";
        var request = _host.Request(executionId, config: TestWorkflows.SecretsAndCapability);
        var nodes = EnclaveHost.WorkflowNodes;

        // Node 0 asks first and waits for a second signature; node 1 completes the quorum; node 2 asks after the run.
        var first = DelegateAsync(nodes[0], request, executionId);
        await Eventually(() => _host.Get<ComputeRequestQuorum>().PendingCount == 1, "node 0's request to be held");
        await DelegateAsync(nodes[1], request, executionId);
        await first;
        await DelegateAsync(nodes[2], request, executionId);

        var spans = await collector.WaitForTraceAsync(traceId, s => s.Count(x => x.Name == "enclave.quorum") == 3 && s.Count(x => x.Name == "test.delegate") == 3, "three compute requests");
        output.WriteLine(TraceTree.Render(spans));
        var tree = new TraceTree(spans);
        var quorumOf = tree.Named("enclave.quorum").ToDictionary(q => q.Attribute("peer.address")!);
        Assert.Equal(nodes[..3].Select(n => n.Address).Order(), quorumOf.Keys.Order());

        // Workflow node → enclave over HTTP: each enclave.quorum descends from the span its node sent the request from.
        foreach (var node in nodes[..3])
        {
            var delegated = Assert.Single(tree.Named("test.delegate"), d => d.Attribute("node.address") == node.Address);
            Assert.Contains(tree.AncestorsOf(quorumOf[node.Address]), a => a.SpanId == delegated.SpanId);
            Assert.Equal("reached", quorumOf[node.Address].Attribute("quorum.outcome"));
            Assert.Equal("2", quorumOf[node.Address].Attribute("quorum.required"));
            Assert.Equal("1", quorumOf[node.Address].Attribute("don.id"));
            Assert.Equal("1", quorumOf[node.Address].Attribute("don.f"));
            Assert.Equal(executionId, quorumOf[node.Address].Attribute("workflow.execution_id"));
        }

        var run = Assert.Single(tree.Named("enclave.run"));
        Assert.Equal(quorumOf[nodes[1].Address].SpanId, run.ParentSpanId);
        Assert.Equal("started", quorumOf[nodes[1].Address].Attribute("quorum.role"));
        var member = Assert.Single(run.Links);
        Assert.Equal(quorumOf[nodes[0].Address].SpanId, member.SpanId);
        Assert.Equal("quorum_member", member.Attributes[TelemetryTags.LinkRelation]);
        Assert.Equal("joined", quorumOf[nodes[2].Address].Attribute("quorum.role"));
        Assert.Contains(quorumOf[nodes[2].Address].Links, l => l.SpanId == run.SpanId && (string?)l.Attributes[TelemetryTags.LinkRelation] == "executed_by");
        Assert.Equal("succeeded", run.Attribute("outcome"));

        // Enclave → gateway and artifact fetch over HTTP: the context the test gateway received is the run's trace, from the
        // HttpClient span under enclave.relay_call / enclave.fetch_binary.
        var fetch = Assert.Single(tree.Named("enclave.fetch_binary"));
        Assert.Equal(run.SpanId, fetch.ParentSpanId);
        Assert.Equal("false", fetch.Attribute("enclave.cache_hit"));
        var relayCalls = tree.Named("enclave.relay_call");
        Assert.Equal(["enclave.relay_call confidential.capability.execute", "enclave.relay_call confidential.secrets.get"], relayCalls.Select(c => c.Name).Order());
        Assert.All(relayCalls, c => Assert.Equal(run.SpanId, c.ParentSpanId));
        Assert.All(relayCalls, c => Assert.NotNull(c.Attribute("rpc.request_id")));
        var received = _host.Gateway.TraceParents.Where(t => t.TraceParent is not null && ActivityContext.Parse(t.TraceParent, null).TraceId == traceId).ToArray();
        Assert.Equal(3, received.Length);
        foreach (var (path, traceParent) in received)
        {
            var sender = Assert.Single(tree.Spans, s => s.SpanId == ActivityContext.Parse(traceParent!, null).SpanId.ToHexString());
            var expectedParents = path.StartsWith("/artifacts/", StringComparison.Ordinal) ? [fetch.SpanId] : relayCalls.Select(c => c.SpanId).ToArray();
            Assert.Contains(sender.ParentSpanId, expectedParents);
        }
    }

    [Fact]
    public async Task A_request_from_a_signer_outside_the_workflow_DON_fails_its_enclave_quorum_span_with_the_reason()
    {
        using var collector = new ActivityCollector();
        var executionId = NewExecutionId();

        var error = await Assert.ThrowsAsync<ConfidentialWorkflowsException>(() => DelegateAsync(EnclaveHost.CapabilityNode, _host.Request(executionId), executionId));

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
        var spans = await collector.WaitForTraceAsync(ExecutionTrace.TraceIdOf(executionId), s => s.Any(x => x.Name == "enclave.quorum"), "the refused request's span");
        var quorum = Assert.Single(new TraceTree(spans).Named("enclave.quorum"));
        Assert.True(quorum.IsError);
        Assert.Contains("is not a member of any workflow DON", quorum.StatusMessage, StringComparison.Ordinal);
        Assert.Equal("rejected", quorum.Attribute("quorum.outcome"));
        Assert.Contains(quorum.Events, e => e.Name == "exception" && ((string?)e.Attributes["exception.message"])!.Contains("is not a member", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_request_without_quorum_fails_its_span_as_a_quorum_timeout_and_is_counted()
    {
        using var collector = new ActivityCollector();
        using var meter = new MeterCollector(EnclaveTelemetry.Name);
        var executionId = NewExecutionId();

        var error = await Assert.ThrowsAsync<ConfidentialWorkflowsException>(() => DelegateAsync(EnclaveHost.WorkflowNodes[0], _host.Request(executionId), executionId));

        Assert.Equal(HttpStatusCode.GatewayTimeout, error.StatusCode);
        var spans = await collector.WaitForTraceAsync(ExecutionTrace.TraceIdOf(executionId), s => s.Any(x => x.Name == "enclave.quorum"), "the lone request's span");
        var quorum = Assert.Single(new TraceTree(spans).Named("enclave.quorum"));
        Assert.True(quorum.IsError);
        Assert.StartsWith("received 1 of 2 required signatures", quorum.StatusMessage, StringComparison.Ordinal);
        Assert.Equal("timeout", quorum.Attribute("quorum.outcome"));
        Assert.True(meter.Sum(EnclaveTelemetry.QuorumInstrument, ("outcome", "timeout")) >= 1);
        Assert.Empty(new TraceTree(spans).Named("enclave.run"));
    }

    /// <summary>The node's side: the confidential-workflows capability called from a span in the execution's trace (as confidential.delegate is).</summary>
    private async Task DelegateAsync(NodeKeys node, ConfidentialWorkflowRequest request, string executionId)
    {
        using var span = Tests.StartActivity("test.delegate", ActivityKind.Client, ExecutionTrace.RootOf(executionId))!;
        span.SetTag("node.address", node.Address);
        await _host.ExecuteAsync(node, request);
    }

    private static string NewExecutionId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    private static async Task Eventually(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(10);
        }
    }
}
