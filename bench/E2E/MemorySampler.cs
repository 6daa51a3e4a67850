using System.Globalization;
using CreAspire.Hosting;

namespace CreAspire.E2E.Bench;

/// <summary>Resident memory (VmRSS) of every resource's process tree at one moment, in MiB.</summary>
internal sealed record MemorySample(double TotalMiB, IReadOnlyDictionary<string, double> PerResource)
{
    /// <summary>
    /// The same processes' proportional set size (Pss from /proc/&lt;pid&gt;/smaps_rollup): each shared page (runtime and
    /// framework files mapped by all 15 .NET processes, postgres shared buffers) divided among the processes that map it,
    /// so the total is what the topology takes from the machine. 0 where smaps_rollup is unreadable.
    /// </summary>
    public double TotalPssMiB { get; init; }

    public IReadOnlyDictionary<string, double> PssPerResource { get; init; } = new Dictionary<string, double>();
}

/// <summary>
/// Reads VmRSS from /proc/&lt;pid&gt;/status for each resource's pid (from the app's resource snapshots) plus its descendants
/// (postgres forks one backend per connection), and for this host process, which runs the artifacts server and orchestration.
/// RSS counts pages shared between processes (postgres shared buffers, shared libraries) once per process, so the total is
/// an upper bound of what the topology takes.
/// </summary>
internal sealed class MemorySampler(DistributedApplication app)
{
    public const string HostName = "(bench host: orchestrator + artifacts)";

    public MemorySample Sample()
    {
        var children = ChildrenByParent();
        var perResource = new Dictionary<string, double>(StringComparer.Ordinal);
        var pssPerResource = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var snapshot in app.ResourceNotifications.GetSnapshots())
        {
            if (snapshot.Pid is int pid)
            {
                perResource[snapshot.Name] = TreeKiB(pid, children, Rss) / 1024.0;
                pssPerResource[snapshot.Name] = TreeKiB(pid, children, Pss) / 1024.0;
            }
        }

        perResource[HostName] = Rss(Environment.ProcessId) / 1024.0;
        pssPerResource[HostName] = Pss(Environment.ProcessId) / 1024.0;
        return new MemorySample(perResource.Values.Sum(), perResource) { TotalPssMiB = pssPerResource.Values.Sum(), PssPerResource = pssPerResource };
    }

    private static long TreeKiB(int pid, Dictionary<int, List<int>> children, Func<int, long> measure)
    {
        var total = measure(pid);
        foreach (var child in children.GetValueOrDefault(pid) ?? [])
        {
            total += TreeKiB(child, children, measure);
        }

        return total;
    }

    private static long Rss(int pid) => ReadKiB($"/proc/{pid}/status", "VmRSS:");

    private static long Pss(int pid) => ReadKiB($"/proc/{pid}/smaps_rollup", "Pss:");

    private static long ReadKiB(string file, string field)
    {
        try
        {
            var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(field, StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 0; // the process exited between listing and reading
        }
    }

    private static Dictionary<int, List<int>> ChildrenByParent()
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                // /proc/<pid>/stat: "pid (comm) state ppid ...": comm may hold spaces, so parse after the last ')'.
                var stat = File.ReadAllText(Path.Combine(directory, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                var parent = int.Parse(fields[1], CultureInfo.InvariantCulture);
                if (!children.TryGetValue(parent, out var list))
                {
                    children[parent] = list = [];
                }

                list.Add(pid);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // exited meanwhile
            }
        }

        return children;
    }
}
