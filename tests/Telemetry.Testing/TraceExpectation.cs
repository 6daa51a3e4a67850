using System.Diagnostics;
using CreAspire.Protocol.Telemetry;

namespace CreAspire.Telemetry.Testing;

/// <summary>Thrown by <see cref="TraceExpectation.Verify"/>: every unmet expectation, then the trace as a tree.</summary>
public sealed class TraceExpectationException(string message) : Exception(message);

/// <summary>
/// What the trace of one execution must contain, as a list of steps: a span name, the step it must run under (any
/// ancestor, so HTTP spans may sit in between), how many spans and on how many distinct nodes (service.name, or
/// node.address in-process). Each span of a step must start no earlier than the ancestor it hangs under.
/// </summary>
public sealed class TraceExpectation
{
    private static readonly TimeSpan ClockTolerance = TimeSpan.FromMilliseconds(1);
    private readonly List<Step> _steps = [];

    /// <param name="name">Span name, or its first word(s) (see <see cref="TraceTree.NameMatches"/>).</param>
    /// <param name="under">The step every such span must descend from; null for none.</param>
    /// <param name="minNodes">At least this many distinct nodes emitted such a span.</param>
    /// <param name="minCount">At least this many such spans.</param>
    /// <param name="exactly">Exactly this many such spans (e.g. one enclave.run per execution).</param>
    public TraceExpectation Span(string name, string? under = null, int minNodes = 1, int minCount = 1, int? exactly = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _steps.Add(new Step(name, under, minNodes, minCount, exactly));
        return this;
    }

    /// <summary>The unmet expectations; empty when the trace has every step.</summary>
    public IReadOnlyList<string> Problems(IReadOnlyList<CollectedSpan> trace)
    {
        ArgumentNullException.ThrowIfNull(trace);
        var problems = new List<string>();
        var traceIds = trace.Select(s => s.TraceId).Distinct(StringComparer.Ordinal).ToArray();
        if (traceIds.Length != 1)
        {
            problems.Add(traceIds.Length == 0 ? "no spans at all" : $"the spans belong to {traceIds.Length} traces, not one: {string.Join(", ", traceIds)}");
            return problems;
        }

        var tree = new TraceTree(trace);
        foreach (var step in _steps)
        {
            var spans = tree.Named(step.Name);
            var nodes = spans.Select(s => s.Node).Distinct(StringComparer.Ordinal).Count();
            if (spans.Count == 0)
            {
                problems.Add($"no '{step.Name}' span");
                continue;
            }

            if (step.Exactly is { } exactly && spans.Count != exactly)
            {
                problems.Add($"{spans.Count} '{step.Name}' spans, expected exactly {exactly}");
            }

            if (spans.Count < step.MinCount)
            {
                problems.Add($"{spans.Count} '{step.Name}' spans, expected at least {step.MinCount}");
            }

            if (nodes < step.MinNodes)
            {
                problems.Add($"'{step.Name}' spans from {nodes} node(s) ({string.Join(", ", spans.Select(s => s.Node).Distinct())}), expected at least {step.MinNodes}");
            }

            if (step.Under is not { } under)
            {
                continue;
            }

            foreach (var span in spans)
            {
                var ancestor = tree.AncestorsOf(span).FirstOrDefault(a => TraceTree.NameMatches(a, under));
                if (ancestor is null)
                {
                    var chain = string.Join(" < ", tree.AncestorsOf(span).Select(a => a.Name));
                    problems.Add($"'{span.Name}' ({span.SpanId}{(span.Node.Length > 0 ? " on " + span.Node : "")}) is not under '{under}': ancestors {(chain.Length == 0 ? "none" : chain)}");
                }
                else if (span.Start + ClockTolerance < ancestor.Start)
                {
                    problems.Add($"'{span.Name}' ({span.SpanId}) starts {(ancestor.Start - span.Start).TotalMilliseconds:0.0} ms before its ancestor '{ancestor.Name}' ({ancestor.SpanId})");
                }
            }
        }

        return problems;
    }

    /// <summary>Throws <see cref="TraceExpectationException"/> listing the problems and the trace when any step is unmet.</summary>
    public void Verify(IReadOnlyList<CollectedSpan> trace)
    {
        var problems = Problems(trace);
        if (problems.Count > 0)
        {
            throw new TraceExpectationException($"the trace misses {problems.Count} expectation(s):\n- {string.Join("\n- ", problems)}\n{TraceTree.Render(trace)}");
        }
    }

    private sealed record Step(string Name, string? Under, int MinNodes, int MinCount, int? Exactly);
}

/// <summary>
/// The traces of one workflow execution: the spans of its trace (every node derives the trace id from the execution id,
/// <see cref="ExecutionTrace"/>) and the shapes the confidential and the local path must have.
/// </summary>
public static class ExecutionTraces
{
    /// <summary>The spans among <paramref name="spans"/> that belong to execution <paramref name="executionId"/>'s trace.</summary>
    public static IReadOnlyList<CollectedSpan> Of(IEnumerable<CollectedSpan> spans, string executionId)
    {
        ArgumentNullException.ThrowIfNull(spans);
        var traceId = TraceIdOf(executionId);
        return spans.Where(s => s.TraceId == traceId).ToArray();
    }

    /// <summary>The execution's trace id as lower-case hex.</summary>
    public static string TraceIdOf(string executionId) => ExecutionTrace.TraceIdOf(executionId).ToHexString();

    /// <summary>
    /// Cron trigger → enclave → gateway → relays → capability DON → <paramref name="capabilityId"/>, as one trace:
    /// F+1 workflow nodes fired and delegated, the enclave ran once under their quorum, the gateway relayed the capability
    /// call, 2F+1 relays handled it (attestation checked, capability called), F+1 capability nodes executed it.
    /// </summary>
    public static TraceExpectation Confidential(int workflowF, int relayF, int capabilityF, string capabilityId = "mock@1.0.0") => new TraceExpectation()
        .Span("cron.fire", minNodes: workflowF + 1)
        .Span("workflow.execute", under: "cron.fire", minNodes: workflowF + 1)
        .Span("confidential.delegate", under: "workflow.execute", minNodes: workflowF + 1)
        .Span("enclave.quorum", under: "confidential.delegate", minCount: workflowF + 1)
        .Span("enclave.run", under: "enclave.quorum", exactly: 1)
        .Span("enclave.relay_call confidential.capability.execute", under: "enclave.run")
        .Span("gateway.relay confidential.capability.execute", under: "enclave.relay_call confidential.capability.execute")
        .Span("gateway.forward", under: "gateway.relay", minNodes: (2 * relayF) + 1)
        .Span("relay.handle confidential.capability.execute", under: "gateway.forward", minNodes: (2 * relayF) + 1)
        .Span("relay.verify_attestation", under: "relay.handle", minNodes: (2 * relayF) + 1)
        .Span("don.call " + capabilityId, under: "relay.handle confidential.capability.execute", minNodes: (2 * relayF) + 1)
        .Span("don.serve " + capabilityId, under: "don.call " + capabilityId, minNodes: capabilityF + 1)
        .Span("capability.execute " + capabilityId, under: "don.serve " + capabilityId, minNodes: capabilityF + 1)
        .Span("gateway.respond", under: "gateway.forward", minCount: (2 * relayF) + 1);

    /// <summary>
    /// Cron trigger → WASM on the workflow nodes → capability DON → <paramref name="capabilityId"/>, as one trace: F+1
    /// workflow nodes fired, executed and called the capability; F+1 capability nodes executed it.
    /// </summary>
    public static TraceExpectation Local(int workflowF, int capabilityF, string capabilityId = "mock@1.0.0") => new TraceExpectation()
        .Span("cron.fire", minNodes: workflowF + 1)
        .Span("workflow.execute", under: "cron.fire", minNodes: workflowF + 1)
        .Span("don.call " + capabilityId, under: "workflow.execute", minNodes: workflowF + 1)
        .Span("don.request", under: "don.call " + capabilityId, minCount: capabilityF + 1)
        .Span("don.serve " + capabilityId, under: "don.request", minNodes: capabilityF + 1)
        .Span("capability.execute " + capabilityId, under: "don.serve " + capabilityId, minNodes: capabilityF + 1);

    /// <summary>The ActivityTraceId form of <see cref="TraceIdOf"/>.</summary>
    public static ActivityTraceId ActivityTraceIdOf(string executionId) => ExecutionTrace.TraceIdOf(executionId);
}
