using System.Diagnostics;
using System.Globalization;
using CreAspire.Hosting.Run;

namespace CreAspire.AppHost.Tests;

/// <summary>
/// However the AppHost is stopped, no process of its topology is alive 10 s later; DCP's own processes (API server and
/// controllers; DCP's per-executable `dcp monitor-process` is replaced by a parent-death signal, see ParentDeathSignal) get
/// <see cref="DcpDeadline"/>:
/// after the resources are gone they finish their clean-up on their own clock, which took 9-11 s at load 5-15 and up to
/// ~15 s at load 30-50 on this 2-core machine (Ctrl+C and SIGTERM as well as SIGKILL; CI runs of 2026-12-02), and
/// Aspire 13.6 exposes no setting for it. Measured at idle after a SIGKILL of the AppHost (2026-12-03): Anvil gone at
/// 2.2 s, Postgres and every service at 7.9 s, the monitors at 8.5-9.5 s, the API server at 9.0 s, the controllers at
/// 10.0 s; each service itself exits 0.1-0.3 s after its SIGTERM, so the ~8 s is DCP noticing the AppHost is gone.
/// Each test runs the smallest topology (one DON of one node) as a real `dotnet run` in a session of its own, with
/// SIGINT's default action restored, so the tests do not depend on how the test runner was started (a runner started in
/// the background inherits SIGINT as ignored).
/// </summary>
[Collection(AppHostProcessCollection.Name)]
public sealed class StoppingTests
{
    private static readonly string[] SmallTopology = ["--single-don", "true", "--workflow-nodes", "1", "--workflow-f", "0", "--port-base", "0", "--containers", "false"];
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StopDeadline = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan DcpDeadline = TimeSpan.FromSeconds(30);
    private const string LogsAndData = "Logs and data: ";
    private static readonly string[] DcpCommands = ["dcp start-apiserver", "dcp run-controllers", "dcp monitor-process"];

    [Fact]
    public Task Ctrl_C_in_the_terminal_stops_every_process() =>
        StopAndAssertAsync((host, _) => Signal("INT", -host.Pid)); // the terminal signals the whole foreground process group

    [Fact]
    public Task SIGTERM_to_dotnet_run_stops_every_process() =>
        StopAndAssertAsync((host, _) => Signal("TERM", host.Pid));

    [Fact]
    public Task SIGTERM_to_the_AppHost_stops_every_process() =>
        StopAndAssertAsync((_, appHost) => Signal("TERM", appHost));

    [Fact]
    public async Task SIGKILL_of_the_AppHost_stops_every_process_and_the_next_start_cleans_its_data()
    {
        // Here nothing of ours runs any more: DCP notices the AppHost is gone and stops the resources.
        string? runFolder = null;
        await StopAndAssertAsync((host, appHost) =>
        {
            var line = host.Output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith(LogsAndData, StringComparison.Ordinal));
            runFolder = line[LogsAndData.Length..line.IndexOf(". Press Ctrl+C", StringComparison.Ordinal)];
            Assert.True(Directory.Exists(Path.Combine(runFolder, "data", "postgres")), "the running topology has Postgres data");
            Signal("KILL", appHost);
        });

        // The killed AppHost deleted nothing; the next start (its run folder cleanup) does.
        Assert.True(Directory.Exists(Path.Combine(runFolder!, "data")), "a SIGKILLed AppHost cannot delete its data");
        var cleaned = RunFolder.CleanStaleRuns(Path.GetDirectoryName(runFolder!)!);
        Assert.Contains(Path.Combine(runFolder!, "data"), cleaned);
        Assert.False(Directory.Exists(Path.Combine(runFolder!, "data")));
    }

    [Fact]
    public async Task SIGKILL_of_DCPs_controllers_stops_every_resource_through_its_parent_death_signal()
    {
        // DCP starts no monitor process beside each executable here; the kernel's parent-death signal (setpriv --pdeathsig)
        // takes their place: the controllers die by SIGKILL, every resource gets its signal and exits. The services' exit
        // takes longer than under DCP's own stop (13-15 s at idle: their shutdown and OTLP flush time out against the gone
        // Postgres and dashboard), hence the DCP deadline. The AppHost itself outlives its DCP (Aspire's behaviour); the
        // test's clean-up stops it.
        await using var host = await StartSmallTopologyAsync();
        var processes = host.TopologyProcesses();
        var commandLines = processes.ToDictionary(p => p, ProcessTree.CommandLine);
        Assert.DoesNotContain(commandLines.Values, c => c.Contains("dcp monitor-process", StringComparison.Ordinal));
        var controllers = Assert.Single(processes, p => commandLines[p].Contains("dcp run-controllers", StringComparison.Ordinal));
        var appHost = host.AppHostPid();
        var resources = processes.Where(p => p != host.Pid && p != appHost && !IsDcpOwn(commandLines[p])).ToList();
        Assert.Contains(resources, p => commandLines[p].Contains("Aspire.Dashboard", StringComparison.Ordinal));
        Assert.Contains(resources, p => commandLines[p].Contains("/bin/postgres", StringComparison.Ordinal));
        Assert.Contains(resources, p => commandLines[p].Contains("anvil", StringComparison.Ordinal));

        Signal("KILL", controllers);

        await WaitGoneAsync(resources, DcpDeadline, Stopwatch.StartNew(), host);
    }

    private static async Task<AppHostProcess> StartSmallTopologyAsync()
    {
        var host = AppHostProcess.StartWithDotnetRun(SmallTopology);
        try
        {
            await host.WaitUntilUpAsync(StartTimeout);
            // The run folder line comes last, just after the "up" line: once it is there the start-up report is complete.
            await host.LineAsync(LogsAndData, TimeSpan.FromSeconds(10));
            return host;
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            var output = host.Output;
            await host.DisposeAsync();
            throw new InvalidOperationException($"The AppHost did not come up: {ex.Message}\n{output}", ex);
        }
    }

    private static async Task StopAndAssertAsync(Action<AppHostProcess, int> stop)
    {
        await using var host = await StartSmallTopologyAsync();
        var processes = host.TopologyProcesses();
        Assert.True(processes.Count >= 8, $"expected dotnet run, the AppHost, DCP and the resources; found {processes.Count}: " +
                                          string.Join("; ", processes.Select(ProcessTree.CommandLine)));

        stop(host, host.AppHostPid());

        var clock = Stopwatch.StartNew();
        var dcp = processes.Where(p => IsDcpOwn(ProcessTree.CommandLine(p))).ToList();
        await WaitGoneAsync(processes.Except(dcp).ToList(), StopDeadline, clock, host);
        await WaitGoneAsync(dcp, DcpDeadline, clock, host);
    }

    private static bool IsDcpOwn(string commandLine) =>
        DcpCommands.Any(c => commandLine.Contains(c, StringComparison.Ordinal));

    private static async Task WaitGoneAsync(IReadOnlyList<int> processes, TimeSpan deadline, Stopwatch clock, AppHostProcess host)
    {
        while (processes.Any(ProcessTree.IsAlive) && clock.Elapsed < deadline)
        {
            await Task.Delay(100);
        }

        var alive = processes.Where(ProcessTree.IsAlive).ToList();
        Assert.True(alive.Count == 0, $"alive {deadline.TotalSeconds:0} s after the stop: " +
                                      string.Join("; ", alive.Select(p => $"{p} {ProcessTree.CommandLine(p)}")) + $"\n{host.Output}");
    }

    private static void Signal(string signal, int pid)
    {
        using var kill = Process.Start("kill", [$"-{signal}", "--", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }
}

/// <summary>Real AppHost processes run one at a time (each is a topology on a 2-core machine).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AppHostProcessCollection
{
    public const string Name = "apphost-process";
}
