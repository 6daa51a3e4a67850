using System.Globalization;

namespace CreAspire.Bench;

/// <summary>Resident (RSS) and proportional (Pss) memory of one group of processes, in MiB, and the CPU time they used so far.</summary>
internal sealed record MemoryGroup(string Name, int Processes, double RssMiB, double PssMiB, double CpuSeconds = 0);

/// <summary>Memory of a whole topology at one moment, by group.</summary>
internal sealed record MemorySample(IReadOnlyList<MemoryGroup> Groups)
{
    public double TotalMiB => Groups.Sum(g => g.RssMiB);

    public double TotalPssMiB => Groups.Sum(g => g.PssMiB);

    public IReadOnlyDictionary<string, double> PerResource => Groups.ToDictionary(g => g.Name, g => g.RssMiB);

    public IReadOnlyDictionary<string, double> PssPerResource => Groups.ToDictionary(g => g.Name, g => g.PssMiB);

    /// <summary>CPU seconds (user + system, with exited children's) per group since each process started.</summary>
    public IReadOnlyDictionary<string, double> CpuPerResource => Groups.GroupBy(g => g.Name).ToDictionary(g => g.Key, g => g.Sum(x => x.CpuSeconds));
}

/// <summary>
/// Finds every process of an Aspire topology from /proc and measures it: the AppHost, DCP (its API server and controllers,
/// which watch the AppHost's pid and run detached from it), the dashboard, DCP's one <c>monitor-process</c> per resource,
/// and each resource's process tree (postgres forks a backend per connection) named after its resource. Pss (from
/// smaps_rollup) divides each shared page among the processes mapping it, so its total is what the topology takes.
/// </summary>
internal static class TopologyMemory
{
    public const string AppHost = "AppHost";
    public const string Dcp = "DCP (apiserver + controllers)";
    public const string Dashboard = "dashboard";
    public const string Monitors = "DCP monitor-process (one per executable)";

    public static MemorySample Sample(int appHostPid)
    {
        var processes = Processes.All();
        var children = processes.ToLookup(p => p.Parent, p => p.Pid);
        var groups = new List<MemoryGroup> { Measure(AppHost, [appHostPid]) };
        var dcp = processes.Where(p => p.CommandLine.Contains($"--monitor {appHostPid.ToString(CultureInfo.InvariantCulture)} ", StringComparison.Ordinal)).Select(p => p.Pid).ToList();
        var controllers = dcp.SelectMany(d => children[d]).Where(p => Processes.CommandLine(p).Contains("run-controllers", StringComparison.Ordinal)).ToList();
        groups.Add(Measure(Dcp, dcp.Concat(controllers).Distinct().ToList()));
        var launched = controllers.Concat(dcp).SelectMany(c => children[c]).Distinct().Except(dcp).Except(controllers).ToList();
        groups.Add(Measure(Monitors, launched.Where(p => Processes.CommandLine(p).Contains("monitor-process", StringComparison.Ordinal)).ToList()));
        groups.Add(Measure(Dashboard, launched.Where(p => Processes.CommandLine(p).Contains("Aspire.Dashboard", StringComparison.Ordinal)).ToList()));
        foreach (var resource in launched.Where(p => !Processes.CommandLine(p).Contains("monitor-process", StringComparison.Ordinal)
                                                  && !Processes.CommandLine(p).Contains("Aspire.Dashboard", StringComparison.Ordinal)))
        {
            groups.Add(Measure(ResourceName(resource), Tree(resource, children)));
        }

        return new MemorySample(groups.Where(g => g.Processes > 0).ToList());
    }

    /// <summary>Memory of given process trees (the floor: processes the bench started itself), one group per name.</summary>
    public static MemorySample SampleTrees(IEnumerable<(string Name, int Pid)> roots)
    {
        var children = Processes.All().ToLookup(p => p.Parent, p => p.Pid);
        return new MemorySample(roots.Select(r => Measure(r.Name, Tree(r.Pid, children))).ToList());
    }

    /// <summary>The resource a DCP-launched process serves: its OTEL service name, else its program (postgres, anvil).</summary>
    public static string ResourceName(int pid) =>
        Processes.Environment(pid).GetValueOrDefault("OTEL_SERVICE_NAME")
        ?? Processes.Environment(pid).GetValueOrDefault("Node__Name")
        ?? Path.GetFileName(Processes.CommandLine(pid).Split(' ')[0]);

    private static List<int> Tree(int pid, ILookup<int, int> children)
    {
        var all = new List<int> { pid };
        for (var i = 0; i < all.Count; i++)
        {
            all.AddRange(children[all[i]]);
        }

        return all;
    }

    private static MemoryGroup Measure(string name, IReadOnlyList<int> pids) =>
        new(name, pids.Count, pids.Sum(p => Processes.KiB(p, "status", "VmRSS:")) / 1024.0, pids.Sum(p => Processes.KiB(p, "smaps_rollup", "Pss:")) / 1024.0,
            pids.Sum(Processes.CpuSeconds));
}

/// <summary>/proc readers.</summary>
internal static class Processes
{
    public sealed record Info(int Pid, int Parent, string CommandLine);

    public static List<Info> All()
    {
        var list = new List<Info>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) && Parent(pid) is var parent and >= 0)
            {
                list.Add(new Info(pid, parent, CommandLine(pid)));
            }
        }

        return list;
    }

    public static int Parent(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return -1;
        }
    }

    /// <summary>utime + stime + cutime + cstime of /proc/pid/stat (clock ticks of 1/100 s), in seconds; 0 if it is gone.</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // After the command: state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
            return Enumerable.Range(11, 4).Sum(i => long.Parse(fields[i], CultureInfo.InvariantCulture)) / 100.0;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ') + " ";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    public static IReadOnlyList<string> Arguments(int pid) =>
        File.ReadAllText($"/proc/{pid}/cmdline").Split('\0', StringSplitOptions.RemoveEmptyEntries);

    public static Dictionary<string, string> Environment(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries)
                .Select(e => e.Split('=', 2)).Where(kv => kv.Length == 2).GroupBy(kv => kv[0]).ToDictionary(g => g.Key, g => g.Last()[1]);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    public static long KiB(int pid, string file, string field)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/{file}").FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}
