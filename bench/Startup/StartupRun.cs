using System.Collections.Concurrent;
using System.Diagnostics;
using CreAspire.AppHost.Topology;
using CreAspire.E2E.Bench;
using CreAspire.Hosting.ApplicationModel;
using CreAspire.Hosting.Testing;
using Microsoft.Extensions.Configuration;

namespace CreAspire.Hosting.Bench;

/// <summary>One start of a topology: time from launch to all healthy, and to each resource's first Healthy (or Finished).</summary>
internal sealed record StartupRun(
    TimeSpan AllHealthy, IReadOnlyDictionary<string, TimeSpan> PerResource, IReadOnlyDictionary<string, TimeSpan> CpuUntilHealthy, int Resources)
{
    /// <summary>Resident memory <c>--idle-memory</c> seconds after all healthy (null when not asked for).</summary>
    public MemorySample? IdleMemory { get; init; }

    private const string TestService = "../tests/Hosting.TestService";

    public static async Task<StartupRun> MeasureAsync(string topology, string[] args, TimeSpan? idleMemorySettle = null)
    {
        var builder = DistributedApplicationTestingBuilder.Create(args, o =>
        {
            o.DashboardPort = null;
            o.StartupTimeout = TimeSpan.FromMinutes(4); // 16 workflow nodes on a shared 2-core machine
            o.DependencyTimeout = TimeSpan.FromMinutes(4);
        });
        Declare(builder, topology, builder.Configuration);
        await using var app = await builder.BuildAsync();
        var ready = new ConcurrentDictionary<string, TimeSpan>();
        var cpu = new ConcurrentDictionary<string, TimeSpan>();
        var clock = Stopwatch.StartNew();
        app.ResourceNotifications.Changed += (change, _) =>
        {
            if (change.Snapshot.State is KnownResourceStates.Healthy or KnownResourceStates.Finished)
            {
                if (ready.TryAdd(change.Snapshot.Name, clock.Elapsed) && change.Snapshot.Pid is int pid && CpuTime(pid) is { } used)
                {
                    cpu.TryAdd(change.Snapshot.Name, used);
                }
            }
        };
        try
        {
            await app.StartAsync();
        }
        catch (DistributedApplicationException)
        {
            Console.Error.WriteLine(app.DescribeResources());
            throw;
        }

        var all = clock.Elapsed;
        MemorySample? idle = null;
        if (idleMemorySettle is { } settle)
        {
            await Task.Delay(settle); // let the freshly started processes finish their start-up work before "idle"
            idle = new MemorySampler(app).Sample();
        }

        return new StartupRun(all, ready, cpu, app.ResourceNotifications.GetSnapshots().Count) { IdleMemory = idle };
    }

    /// <summary>User + system CPU time a process has used so far (/proc/&lt;pid&gt;/stat utime and stime), or null when unreadable.</summary>
    private static TimeSpan? CpuTime(int pid)
    {
        try
        {
            // "pid (comm) state ppid ...": comm may hold spaces, so count fields after the last ')'; utime and stime are fields 14 and 15.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static void Declare(IDistributedApplicationBuilder builder, string topology, IConfiguration configuration)
    {
        switch (topology)
        {
            case "default":
                // The real services with the registries deployed and the DONs registered, as the AppHost does.
                var real = CreTopologyOptions.FromConfiguration(configuration);
                real.ArtifactsFolder = Directory.CreateTempSubdirectory("creaspire-bench-artifacts-").FullName;
                real.DeployRegistries = (request, ct) => ChainRegistryDeployer.DeployAsync(request, real.Seed, ct);
                CreTopology.AddDefaultTopology(builder, real);
                break;
            case "standin":
                var options = CreTopologyOptions.FromConfiguration(configuration);
                options.Projects = new ServiceProjects(TestService, TestService, TestService, TestService, TestService);
                options.ArtifactsFolder = Directory.CreateTempSubdirectory("creaspire-bench-artifacts-").FullName;
                CreTopology.AddDefaultTopology(builder, options);
                break;
            case "infra":
                var postgres = builder.AddPostgres("postgres");
                var db0 = postgres.AddDatabase("db-0");
                var db1 = postgres.AddDatabase("db-1");
                var anvil = builder.AddAnvil("anvil");
                builder.AddProject("svc-0", TestService).WithHttpEndpoint().WithHttpHealthCheck("/health").WithReference(db0).WaitFor(db0).WithReference(anvil, "chain").WaitFor(anvil);
                builder.AddProject("svc-1", TestService).WithHttpEndpoint().WithHttpHealthCheck("/health").WithReference(db1).WaitFor(db1).WithReference(anvil, "chain").WaitFor(anvil);
                break;
            default:
                throw new ArgumentException($"Unknown topology '{topology}'; use default, standin or infra.");
        }
    }
}
