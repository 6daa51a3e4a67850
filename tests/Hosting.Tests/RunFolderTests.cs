using System.Diagnostics;
using CreAspire.Hosting.Run;

namespace CreAspire.Hosting.Tests;

/// <summary>A killed AppHost's run folder is cleaned at the next start; a live one is left alone.</summary>
public sealed class RunFolderTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("creaspire-runs-");

    [Fact]
    public async Task The_data_of_a_run_whose_AppHost_was_SIGKILLed_is_deleted_and_a_live_run_is_kept()
    {
        // Each run holds an exclusive flock on run/.lock while its AppHost lives; `flock` stands in for two AppHosts.
        var killed = CreateRun("run-20261201-100000-111-aaaaaa");
        var live = CreateRun("run-20261201-100001-222-bbbbbb");
        using var killedHost = HoldLock(killed);
        using var liveHost = HoldLock(live);
        try
        {
            await WaitUntilLockedAsync(killed);
            await WaitUntilLockedAsync(live);
            Assert.Empty(RunFolder.CleanStaleRuns(_root.FullName));

            killedHost.Kill(); // SIGKILL: the kernel drops its lock
            await killedHost.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            var cleaned = RunFolder.CleanStaleRuns(_root.FullName);

            Assert.Equal([Path.Combine(killed, "data")], cleaned);
            Assert.False(Directory.Exists(Path.Combine(killed, "data")));
            Assert.True(File.Exists(Path.Combine(killed, "logs", "postgres.log")), "the killed run's logs are kept");
            Assert.True(File.Exists(Path.Combine(live, "data", "postgres", "PG_VERSION")), "the live run's data is kept");
        }
        finally
        {
            killedHost.Kill(entireProcessTree: true);
            liveHost.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public void Only_the_newest_stale_runs_keep_their_logs_and_old_format_folders_count_by_pid()
    {
        var runs = Enumerable.Range(0, RunFolder.KeptStaleRuns + 2).Select(i => CreateRun($"run-20261201-1000{i:00}-{900000 + i}-cccccc")).ToList();
        for (var i = 0; i < runs.Count; i++)
        {
            File.Delete(Path.Combine(runs[i], ".lock")); // an older CreAspire: no lock file, a pid no process has
            Directory.SetLastWriteTimeUtc(runs[i], DateTime.UtcNow.AddMinutes(i - runs.Count));
        }

        var alive = CreateRun($"run-20261201-110000-{Environment.ProcessId}-dddddd");
        File.Delete(Path.Combine(alive, ".lock"));

        RunFolder.CleanStaleRuns(_root.FullName);

        Assert.False(Directory.Exists(runs[0]));
        Assert.False(Directory.Exists(runs[1]));
        Assert.All(runs.Skip(2), run => Assert.True(Directory.Exists(Path.Combine(run, "logs")) && !Directory.Exists(Path.Combine(run, "data"))));
        Assert.True(Directory.Exists(Path.Combine(alive, "data")), "a folder whose pid is alive is not touched");
    }

    public void Dispose() => _root.Delete(recursive: true);

    private string CreateRun(string name)
    {
        var run = Path.Combine(_root.FullName, name);
        Directory.CreateDirectory(Path.Combine(run, "data", "postgres"));
        Directory.CreateDirectory(Path.Combine(run, "logs"));
        File.WriteAllText(Path.Combine(run, "data", "postgres", "PG_VERSION"), "18");
        File.WriteAllText(Path.Combine(run, "logs", "postgres.log"), "ready");
        File.WriteAllText(Path.Combine(run, ".lock"), "");
        return run;
    }

    private static Process HoldLock(string run) =>
        // One process that holds the lock (sh opens fd 9, flock locks it, sh becomes sleep with fd 9 still open): killing it
        // drops the lock, as killing an AppHost does, and leaves nothing behind.
        Process.Start(new ProcessStartInfo("sh", ["-c", "exec 9>\"$0\" && flock --exclusive 9 && exec sleep 300", Path.Combine(run, ".lock")])
        {
            UseShellExecute = false,
        })!;

    private static async Task WaitUntilLockedAsync(string run)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var probe = new FileStream(Path.Combine(run, ".lock"), FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"flock did not take {run}/.lock within 10 s.");
    }
}
