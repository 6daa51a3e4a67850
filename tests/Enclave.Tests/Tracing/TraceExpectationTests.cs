using CreAspire.Telemetry.Testing;

namespace CreAspire.Enclave.Tests.Tracing;

// The check the E2E trace tests run on collected spans: a complete confidential trace passes; a missing hop, a hop under
// the wrong parent, too few nodes and a second trace id are each reported by name.
public sealed class TraceExpectationTests
{
    private const string TraceId = "0123456789abcdef0123456789abcdef";
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_complete_confidential_trace_meets_the_confidential_shape()
    {
        var problems = ExecutionTraces.Confidential(workflowF: 1, relayF: 1, capabilityF: 1).Problems(ConfidentialTrace());

        Assert.Empty(problems);
    }

    [Fact]
    public void A_trace_without_the_enclave_run_names_the_missing_hop_and_everything_left_without_its_ancestor()
    {
        var spans = ConfidentialTrace().Where(s => s.Name != "enclave.run").ToArray();

        var problems = ExecutionTraces.Confidential(1, 1, 1).Problems(spans);

        Assert.Contains("no 'enclave.run' span", problems);
        Assert.Contains(problems, p => p.StartsWith("'enclave.relay_call confidential.capability.execute' (", StringComparison.Ordinal) && p.Contains("is not under 'enclave.run'", StringComparison.Ordinal));
    }

    [Fact]
    public void Too_few_relays_and_a_span_of_another_trace_are_reported()
    {
        var spans = ConfidentialTrace().Where(s => !(s.Node == "relay-2" || s.Node == "relay-3")).ToList();

        Assert.Contains("'relay.handle confidential.capability.execute' spans from 2 node(s) (relay-0, relay-1), expected at least 3", ExecutionTraces.Confidential(1, 1, 1).Problems(spans));

        spans.Add(Span("stray", "wf-0", null) with { TraceId = "ffffffffffffffffffffffffffffffff" });
        Assert.StartsWith("the spans belong to 2 traces", Assert.Single(ExecutionTraces.Confidential(1, 1, 1).Problems(spans)), StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_throws_with_the_problems_and_the_trace_as_a_tree()
    {
        var error = Assert.Throws<TraceExpectationException>(() => new TraceExpectation().Span("capability.execute mock@1.0.0", minNodes: 5).Verify(ConfidentialTrace()));

        Assert.Contains("'capability.execute mock@1.0.0' spans from 2 node(s) (cap-0, cap-1), expected at least 5", error.Message, StringComparison.Ordinal);
        Assert.Contains("enclave.run [enclave]", error.Message, StringComparison.Ordinal);
    }

    /// <summary>What one execution on F=1 DONs exports: 2 workflow nodes, the enclave, the gateway, 3 relays, 2 capability nodes.</summary>
    private static List<CollectedSpan> ConfidentialTrace()
    {
        var spans = new List<CollectedSpan>();
        CollectedSpan Add(string name, string node, CollectedSpan? parent)
        {
            var span = Span(name, node, parent, spans.Count);
            spans.Add(span);
            return span;
        }

        CollectedSpan? completing = null;
        foreach (var wf in new[] { "wf-0", "wf-1" })
        {
            var delegated = Add("confidential.delegate", wf, Add("workflow.execute", wf, Add("cron.fire", wf, null)));
            var quorum = Add("enclave.quorum", "enclave", Add("POST /requests", "enclave", Add("POST", wf, delegated)));
            completing = quorum;
        }

        var run = Add("enclave.run", "enclave", completing);
        var relay = Add("gateway.relay confidential.capability.execute", "gateway", Add("enclave.relay_call confidential.capability.execute", "enclave", run));
        foreach (var node in new[] { "relay-0", "relay-1", "relay-2", "relay-3" })
        {
            var forward = Add("gateway.forward", node, relay);
            var handle = Add("relay.handle confidential.capability.execute", node, forward);
            Add("relay.verify_attestation", node, handle);
            var call = Add("don.call mock@1.0.0", node, handle);
            foreach (var cap in new[] { "cap-0", "cap-1" })
            {
                var serve = Add("don.serve mock@1.0.0", cap, Add("don.request", node, call));
                if (node == "relay-1")
                {
                    Add("capability.execute mock@1.0.0", cap, serve);
                }
            }

            Add("gateway.respond", "gateway", forward);
        }

        return spans;
    }

    private static CollectedSpan Span(string name, string node, CollectedSpan? parent, int index = 0) => new()
    {
        TraceId = TraceId,
        SpanId = (index + 1).ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
        ParentSpanId = parent?.SpanId,
        Name = name,
        Service = node,
        Start = T0.AddMilliseconds(index),
        End = T0.AddMilliseconds(index + 100),
    };
}
