using System.Globalization;
using System.Text;
using CreAspire.Bench;

namespace CreAspire.E2E.Bench;

/// <summary>Formats the end-to-end figures as a markdown table: metric | min | median | max | target.</summary>
internal static class E2EReport
{
    public static string ToMarkdown(
        TimeSpan startup, FirstExecution confidential, FirstExecution normal,
        IReadOnlyList<ExecutionTiming> confidentialRuns, IReadOnlyList<ExecutionTiming> normalRuns, IReadOnlyList<BurstExecution> burstRuns,
        MemorySample idle, MemorySample load, IReadOnlyDictionary<string, (double Total, IReadOnlyDictionary<string, double> PerResource)>? cpu = null)
    {
        var text = new StringBuilder();
        var n = confidentialRuns.Count;
        text.AppendLine(Invariant($"End to end on the default topology ({idle.PerResource.Count - 1} resources with a process), {n} sequential executions per path, {Environment.ProcessorCount} cores."));
        text.AppendLine("Trigger = when the fire requests were sent to every workflow node; mock = earliest receivedAt over the capability nodes;");
        text.AppendLine("finished = latest finishedAt over the 4 workflow nodes. min/median/max columns; p99 rows give p99 in the median column.");
        text.AppendLine();
        text.AppendLine("| metric | min | median | max | target |");
        text.AppendLine("|---|---|---|---|---|");
        Single(text, "e2e: default topology launch → all healthy", startup.TotalMilliseconds, "ms", "");
        Single(text, "e2e: registration → first confidential execution (fire now)", confidential.RegistrationToFirstExecution.TotalMilliseconds, "ms", "≤ 1000 ms");
        Single(text, "e2e: registration → active on all workflow nodes (confidential)", confidential.RegistrationToActive.TotalMilliseconds, "ms", "");
        Single(text, "e2e: registration → first normal execution (fire now)", normal.RegistrationToFirstExecution.TotalMilliseconds, "ms", "");
        foreach (var (path, runs) in new[] { ("confidential", confidentialRuns), ("normal", normalRuns) })
        {
            Distribution(text, $"e2e {path}: trigger → mock receipt", runs.Select(r => r.TriggerToMock.TotalMilliseconds).ToList(), "");
            Distribution(text, $"e2e {path}: trigger → finished (all nodes)", runs.Select(r => r.TriggerToFinished.TotalMilliseconds).ToList(), path == "confidential" ? "≤ 100 ms" : "", path == "confidential" ? "≤ 250 ms" : "");
        }

        var ratio = Percentile(confidentialRuns.Select(r => r.TriggerToFinished.TotalMilliseconds).ToList(), 50) /
                    Percentile(normalRuns.Select(r => r.TriggerToFinished.TotalMilliseconds).ToList(), 50);
        text.AppendLine(Invariant($"| e2e: confidential / normal trigger → finished (p50 ratio, same run) | | {ratio:0.00}× | | ≤ 2.5× |"));
        foreach (var path in burstRuns.GroupBy(r => r.Path))
        {
            var succeeded = path.Where(r => r.Timing is not null).Select(r => r.Timing!.TriggerToFinished.TotalMilliseconds).ToList();
            var label = $"e2e burst {path.Key} ({path.Count()} fired at once with {burstRuns.Count - path.Count()} of the other path)";
            text.AppendLine(Invariant($"| {label}: succeeded | | {succeeded.Count} of {path.Count()} | | all |"));
            if (succeeded.Count > 0)
            {
                Distribution(text, $"{label}: trigger → finished", succeeded, path.Key == "confidential" ? "≤ 1000 ms" : "");
            }
        }

        foreach (var (path, (total, perResource)) in cpu ?? new Dictionary<string, (double, IReadOnlyDictionary<string, double>)>())
        {
            var top = string.Join(", ", perResource.Where(p => p.Value >= 0.5).OrderByDescending(p => p.Value).Take(4).Select(p => Invariant($"{p.Key} {p.Value:0}")));
            text.AppendLine(Invariant($"| cpu: one {path} execution, every process (largest: {top}) | | {total:0} ms | | |"));
        }

        text.AppendLine(Invariant($"| memory: total resident (RSS), idle | | {idle.TotalMiB:0} MiB | | ≤ 1536 MiB |"));
        text.AppendLine(Invariant($"| memory: total proportional (Pss: shared pages split among their processes), idle | | {idle.TotalPssMiB:0} MiB | | ≤ 1536 MiB |"));
        text.AppendLine(Invariant($"| memory: total resident, under load (peak during burst) | | {load.TotalMiB:0} MiB | | (informational) |"));
        foreach (var (name, mib) in idle.PerResource.OrderByDescending(p => p.Value))
        {
            text.AppendLine(Invariant($"| memory: {name} resident, idle / under load (idle Pss {idle.PssPerResource.GetValueOrDefault(name):0} MiB) | {mib:0} MiB | | {load.PerResource.GetValueOrDefault(name):0} MiB | |"));
        }

        return text.ToString();
    }

    private static void Single(StringBuilder text, string metric, double value, string unit, string target) =>
        text.AppendLine(Invariant($"| {metric} | {value:0} {unit} | {value:0} {unit} | {value:0} {unit} | {target} |"));

    private static void Distribution(StringBuilder text, string metric, List<double> values, string target, string p99Target = "")
    {
        text.AppendLine(Invariant($"| {metric} p50 | {values.Min():0.0} ms | {Percentile(values, 50):0.0} ms | {values.Max():0.0} ms | {target} |"));
        text.AppendLine(Invariant($"| {metric} p99 | | {Percentile(values, 99):0.0} ms | | {p99Target} |"));
    }

    /// <summary>Nearest-rank percentile.</summary>
    private static double Percentile(List<double> values, double percent)
    {
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(percent / 100.0 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
