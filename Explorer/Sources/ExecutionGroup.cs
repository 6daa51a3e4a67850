using CreAspire.Operations.Decoding;
using CreAspire.Operations.Nodes;
using CreAspire.Protocol.Workflows;

namespace CreAspire.Explorer.Sources;

/// <summary>
/// One execution across the workflow nodes (same execution id on every honest node): each node's record, the earliest start,
/// the latest finish, the first error, and the decoded result (with whether every node recorded the same result bytes).
/// </summary>
public sealed record ExecutionGroup(
    string ExecutionId,
    string Tick,
    IReadOnlyDictionary<string, NodeExecution> ByNode,
    DateTimeOffset Started,
    DateTimeOffset? Finished,
    string? Error,
    string? Result,
    bool ResultsAgree,
    string? TraceId)
{
    /// <summary>"succeeded" when every node succeeded, "failed" when any failed, else "started".</summary>
    public string Summary => ByNode.Values.Any(e => e.Status == "failed") ? "failed"
        : ByNode.Values.All(e => e.Status == "succeeded") ? "succeeded" : "started";

    public static IReadOnlyList<ExecutionGroup> From(IReadOnlyDictionary<string, IReadOnlyList<NodeExecution>> byNode, string workflowId) =>
        byNode.SelectMany(n => n.Value.Where(e => e.WorkflowId == workflowId).Select(e => (Node: n.Key, Execution: e)))
            .GroupBy(x => x.Execution.ExecutionId, StringComparer.Ordinal)
            .Select(g =>
            {
                var runs = g.ToDictionary(x => x.Node, x => x.Execution, StringComparer.Ordinal);
                var finished = runs.Values.All(e => e.FinishedAt is not null) ? runs.Values.Max(e => e.FinishedAt) : null;
                var results = runs.Values.Where(e => e.Result is not null).Select(e => e.Result!).Distinct(StringComparer.Ordinal).ToArray();
                var first = runs.Values.First();
                var at = first.TriggerEventId.LastIndexOf('@');
                return new ExecutionGroup(
                    g.Key,
                    at >= 0 ? first.TriggerEventId[(at + 1)..] : first.TriggerEventId,
                    runs,
                    runs.Values.Min(e => e.StartedAt),
                    finished,
                    runs.Values.Select(e => e.Error).FirstOrDefault(e => !string.IsNullOrEmpty(e)),
                    results.Length == 0 ? null : PayloadDecoder.Format(PayloadDecoder.DecodeExecutionResult(results[0])),
                    results.Length <= 1,
                    runs.Values.Select(e => e.TraceId).FirstOrDefault(t => !string.IsNullOrEmpty(t)));
            })
            .OrderByDescending(e => e.Started)
            .ToArray();
}
