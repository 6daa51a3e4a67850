using System.Diagnostics;
using System.Globalization;
using CreAspire.Hosting.Run;

namespace CreAspire.AppHost.Tests;

/// <summary>
/// However the AppHost is stopped, no process of its topology is alive 10 s later; DCP's own processes (API server,
/// controllers, and the one `dcp monitor-process` per executable that the controllers start) get <see cref="DcpDeadline"/>:
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

    private static async Task StopAndAssertAsync(Action<AppHostProcess, int> stop)
    {
        await using var host = AppHostProcess.StartWithDotnetRun(SmallTopology);
        try
        {
            await host.WaitUntilUpAsync(StartTimeout);
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            throw new InvalidOperationException($"The AppHost did not come up: {ex.Message}\n{host.Output}", ex);
        }

        // The run folder line comes last, just after the "up" line: once it is there the start-up report is complete.
        await host.LineAsync(LogsAndData, TimeSpan.FromSeconds(10));
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
