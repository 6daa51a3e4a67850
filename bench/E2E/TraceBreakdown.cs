using System.Globalization;
using System.Text;
using CreAspire.Telemetry.Testing;

namespace CreAspire.E2E.Bench;

/// <summary>
/// One confidential execution by hop, from the spans the services exported: per span name, how many there are per
/// execution and, over the executions, the median start, end (both from the trigger: the earliest cron.fire) and duration;
/// beside it the first execution after registration (cold paths).
/// </summary>
internal static class TraceBreakdown
{
    /// <summary>Waits (bounded) until the last execution's capability call and the enclave run have arrived.</summary>
    public static async Task WaitForExportsAsync(OtlpReceiver receiver, string lastExecutionId, CancellationToken cancellationToken)
    {
        var traceId = ExecutionTraces.TraceIdOf(lastExecutionId);
        try
        {
            await receiver.WaitForTraceAsync(traceId, spans => spans.Any(s => s.Name.StartsWith("capability.execute", StringComparison.Ordinal))
                && spans.Count(s => s.Name == "workflow.execute") >= 4 && spans.Any(s => s.Name == "enclave.run"), "the last execution's spans", TimeSpan.FromSeconds(15));
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"not every span of the last execution arrived: {ex.Message.Split('\n')[0]}");
        }
    }

    public static string ToMarkdown(IReadOnlyList<CollectedSpan> spans, string firstExecutionId, IReadOnlyList<string> executionIds)
    {
        var byTrace = spans.GroupBy(s => s.TraceId).ToDictionary(g => g.Key, g => g.ToList());
        var traces = executionIds.Select(ExecutionTraces.TraceIdOf).Where(byTrace.ContainsKey).Select(id => byTrace[id]).ToList();
        byTrace.TryGetValue(ExecutionTraces.TraceIdOf(firstExecutionId), out var first);

        var rows = new Dictionary<string, List<(double Start, double End, double Duration)>>(StringComparer.Ordinal);
        var counts = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        foreach (var trace in traces)
        {
            var origin = Origin(trace);
            foreach (var group in trace.GroupBy(s => s.Name))
            {
                // Per execution: the earliest start, the latest end, the median duration of that span name.
                var durations = group.Select(s => s.Duration.TotalMilliseconds).Order().ToList();
                Add(rows, group.Key, ((group.Min(s => s.Start) - origin).TotalMilliseconds, (group.Max(s => s.End) - origin).TotalMilliseconds, durations[durations.Count / 2]));
                (counts.TryGetValue(group.Key, out var list) ? list : counts[group.Key] = []).Add(group.Count());
            }
        }

        var firstRows = first?.GroupBy(s => s.Name).ToDictionary(g => g.Key, g =>
        {
            var origin = Origin(first);
            var durations = g.Select(s => s.Duration.TotalMilliseconds).Order().ToList();
            return ((g.Min(s => s.Start) - origin).TotalMilliseconds, (g.Max(s => s.End) - origin).TotalMilliseconds, durations[durations.Count / 2]);
        });

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Confidential execution by hop: {traces.Count} traced executions (ms from the trigger = earliest cron.fire; median over executions; duration = median span of that name).");
        text.AppendLine();
        text.AppendLine("| span | per execution | starts at | ends at | duration | first execution: starts / ends / duration |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var (name, values) in rows.OrderBy(r => Median(r.Value.Select(v => v.Start))))
        {
            var firstText = firstRows is not null && firstRows.TryGetValue(name, out var f)
                ? string.Create(CultureInfo.InvariantCulture, $"{f.Item1:0.0} / {f.Item2:0.0} / {f.Item3:0.0}")
                : "–";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {name} | {Median(counts[name].Select(c => (double)c)):0} | {Median(values.Select(v => v.Start)):0.0} | {Median(values.Select(v => v.End)):0.0} | {Median(values.Select(v => v.Duration)):0.0} | {firstText} |");
        }

        return text.ToString();
    }

    private static DateTimeOffset Origin(List<CollectedSpan> trace)
    {
        var fires = trace.Where(s => s.Name == "cron.fire").ToList();
        return fires.Count > 0 ? fires.Min(s => s.Start) : trace.Min(s => s.Start);
    }

    private static void Add(Dictionary<string, List<(double, double, double)>> rows, string name, (double, double, double) value) =>
        (rows.TryGetValue(name, out var list) ? list : rows[name] = []).Add(value);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
    }
}
