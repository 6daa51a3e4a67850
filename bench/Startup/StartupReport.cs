using System.Globalization;
using System.Text;

namespace CreAspire.Hosting.Bench;

/// <summary>Formats runs as a markdown table: metric | min | median | max | target.</summary>
internal static class StartupReport
{
    public static string ToMarkdown(string topology, int workflowNodes, bool perResource, IReadOnlyList<StartupRun> runs)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Startup, topology '{topology}' with {workflowNodes} workflow nodes, {runs.Count} runs, {Environment.ProcessorCount} cores");
        text.AppendLine();
        text.AppendLine("| metric | min | median | max | target |");
        text.AppendLine("|---|---|---|---|---|");
        var label = $"startup ({topology}, {workflowNodes} workflow node{(workflowNodes == 1 ? "" : "s")}, {runs[0].Resources} resources)";
        Row(text, $"{label}: launch → all healthy", runs.Select(r => r.AllHealthy).ToList(), topology == "default" && workflowNodes == 4 ? "≤ 8.00 s" : "");
        var withCpu = runs.SelectMany(r => r.CpuUntilHealthy.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        if (withCpu.Count > 0)
        {
            Row(text, $"startup: CPU time of the {withCpu.Count} processes until each was healthy (sum)",
                runs.Select(r => r.CpuUntilHealthy.Values.Aggregate(TimeSpan.Zero, (a, b) => a + b)).ToList(), "");
        }

        var sampled = runs.Where(r => r.IdleMemory is not null).Select(r => r.IdleMemory!).ToList();
        if (sampled.Count > 0)
        {
            MiBRow(text, "startup: memory: total resident, idle", sampled.Select(m => m.TotalMiB).ToList(), topology == "default" && workflowNodes == 4 ? "≤ 1536 MiB" : "");
            MiBRow(text, "startup: memory: total proportional (Pss: shared pages divided among their processes), idle", sampled.Select(m => m.TotalPssMiB).ToList(), "");
            foreach (var name in sampled.SelectMany(m => m.PerResource.Keys).Distinct().OrderByDescending(n => sampled[0].PerResource.GetValueOrDefault(n)))
            {
                MiBRow(text, $"startup: memory: {name} resident, idle", sampled.Select(m => m.PerResource.GetValueOrDefault(name)).ToList(), "");
                MiBRow(text, $"startup: memory: {name} proportional (Pss), idle", sampled.Select(m => m.PssPerResource.GetValueOrDefault(name)).ToList(), "");
            }
        }

        if (!perResource)
        {
            return text.ToString();
        }

        foreach (var name in runs.SelectMany(r => r.PerResource.Keys).Distinct().OrderBy(n => runs[0].PerResource.GetValueOrDefault(n)))
        {
            Row(text, $"startup: {name} time-to-healthy", runs.Select(r => r.PerResource.GetValueOrDefault(name)).ToList(), "");
        }

        foreach (var name in withCpu)
        {
            Row(text, $"startup: {name} CPU time until healthy", runs.Select(r => r.CpuUntilHealthy.GetValueOrDefault(name)).ToList(), "");
        }

        return text.ToString();
    }

    private static void MiBRow(StringBuilder text, string metric, IReadOnlyList<double> values, string target)
    {
        var sorted = values.Order().ToList();
        var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        text.AppendLine(CultureInfo.InvariantCulture, $"| {metric} | {sorted[0]:0} MiB | {median:0} MiB | {sorted[^1]:0} MiB | {target} |");
    }

    private static void Row(StringBuilder text, string metric, IReadOnlyList<TimeSpan> values, string target)
    {
        var sorted = values.Order().ToList();
        var median = sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        text.AppendLine(CultureInfo.InvariantCulture, $"| {metric} | {sorted[0].TotalSeconds:0.00} s | {median.TotalSeconds:0.00} s | {sorted[^1].TotalSeconds:0.00} s | {target} |");
    }
}
