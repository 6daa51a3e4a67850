using System.Globalization;
using System.Text;
using CreAspire.Bench;
using Microsoft.Extensions.Configuration;

namespace CreAspire.Startup.Bench;

/// <summary>Formats runs as a markdown table: metric | min | median | max | target.</summary>
internal static class StartupReport
{
    public static string ToMarkdown(IConfiguration configuration, IReadOnlyList<StartupResult> runs)
    {
        var nodes = configuration["workflow-nodes"] ?? "4";
        var isDefault = nodes == "4" && configuration["single-don"] is null;
        var label = $"startup ({(isDefault ? "default, " : "")}{nodes} workflow node{(nodes == "1" ? "" : "s")}, {runs[0].Aspire.Resources} resources)";
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Startup through the AppHost process, {runs.Count} run(s), {Environment.ProcessorCount} cores");
        text.AppendLine();
        text.AppendLine("| metric | min | median | max | target |");
        text.AppendLine("|---|---|---|---|---|");
        var floors = runs.Where(r => r.Floor is not null).Select(r => r.Floor!.AllHealthy.TotalSeconds).ToList();
        var floorMedian = floors.Count > 0 ? Median(floors) : (double?)null;
        Row(text, $"{label}: launch → all healthy", runs.Select(r => r.Aspire.AllUp.TotalSeconds).ToList(), "s",
            floorMedian is { } f ? $"≤ 2× floor = {2 * f:0.00} s" : "");
        if (floorMedian is not null)
        {
            Row(text, $"{label}: floor (same executables started directly) → all healthy", floors, "s", "");
            Row(text, $"{label}: AppHost / floor", runs.Where(r => r.Floor is not null).Select(r => r.Aspire.AllUp.TotalSeconds / r.Floor!.AllHealthy.TotalSeconds).ToList(), "×", "≤ 2.00 ×");
        }

        var idle = runs.Select(r => r.Aspire.Idle).ToList();
        Row(text, $"{label}: memory: total resident (RSS), idle", idle.Select(m => m.TotalMiB).ToList(), "MiB", "");
        Row(text, $"{label}: memory: total proportional (Pss), idle", idle.Select(m => m.TotalPssMiB).ToList(), "MiB", isDefault ? "≤ 1536 MiB" : "");
        if (runs.All(r => r.Floor is not null))
        {
            Row(text, $"{label}: memory: floor total Pss, idle", runs.Select(r => r.Floor!.Idle.TotalPssMiB).ToList(), "MiB", "");
        }

        if (!isDefault)
        {
            return text.ToString();
        }

        // Pss by group: what Aspire adds (AppHost, DCP, dashboard, monitors) and what the resources take.
        var fixedGroups = new[] { TopologyMemory.AppHost, TopologyMemory.Dcp, TopologyMemory.Dashboard, TopologyMemory.Monitors };
        foreach (var group in fixedGroups)
        {
            Row(text, $"startup: memory: {group} Pss (RSS), idle", idle.Select(m => m.PssPerResource.GetValueOrDefault(group)).ToList(), "MiB",
                "", idle.Select(m => m.PerResource.GetValueOrDefault(group)).ToList());
        }

        Row(text, "startup: memory: all resources (services, postgres, anvil) Pss, idle",
            idle.Select(m => m.Groups.Where(g => !fixedGroups.Contains(g.Name)).Sum(g => g.PssMiB)).ToList(), "MiB", "");
        foreach (var name in idle[0].Groups.Where(g => !fixedGroups.Contains(g.Name)).OrderByDescending(g => g.PssMiB).Select(g => g.Name))
        {
            Row(text, $"startup: memory: {name} Pss (RSS), idle", idle.Select(m => m.PssPerResource.GetValueOrDefault(name)).ToList(), "MiB",
                "", idle.Select(m => m.PerResource.GetValueOrDefault(name)).ToList());
        }

        return text.ToString();
    }

    private static void Row(StringBuilder text, string metric, IReadOnlyList<double> values, string unit, string target, IReadOnlyList<double>? beside = null)
    {
        var sorted = values.Order().ToList();
        var format = unit == "MiB" ? "0" : "0.00";
        var median = Median(sorted).ToString(format, CultureInfo.InvariantCulture);
        if (beside is not null)
        {
            median += $" ({Median(beside.ToList()).ToString("0", CultureInfo.InvariantCulture)})";
        }

        text.AppendLine(CultureInfo.InvariantCulture,
            $"| {metric} | {sorted[0].ToString(format, CultureInfo.InvariantCulture)} {unit} | {median} {unit} | {sorted[^1].ToString(format, CultureInfo.InvariantCulture)} {unit} | {target} |");
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
