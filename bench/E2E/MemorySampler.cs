using System.Globalization;
using CreAspire.Hosting;

namespace CreAspire.E2E.Bench;

/// <summary>Resident memory (VmRSS) of every resource's process tree at one moment, in MiB.</summary>
internal sealed record MemorySample(double TotalMiB, IReadOnlyDictionary<string, double> PerResource);

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
        foreach (var snapshot in app.ResourceNotifications.GetSnapshots())
        {
            if (snapshot.Pid is int pid)
            {
                perResource[snapshot.Name] = TreeKiB(pid, children) / 1024.0;
            }
        }

        perResource[HostName] = RssKiB(Environment.ProcessId) / 1024.0;
        return new MemorySample(perResource.Values.Sum(), perResource);
    }

    private static long TreeKiB(int pid, Dictionary<int, List<int>> children)
    {
        var total = RssKiB(pid);
        foreach (var child in children.GetValueOrDefault(pid) ?? [])
        {
            total += TreeKiB(child, children);
        }

        return total;
    }

    private static long RssKiB(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
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
