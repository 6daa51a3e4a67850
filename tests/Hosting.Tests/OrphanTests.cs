using System.Diagnostics;

namespace CreAspire.Hosting.Tests;

/// <summary>Children never outlive their host, even when the host is SIGKILLed.</summary>
public sealed class OrphanTests
{
    private static readonly string TestHostAssembly = Path.GetFullPath(Path.Combine(
        AppContext.BaseDirectory, "..", "..", "..", "..", "Hosting.TestHost", "bin",
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, "net10.0", "CreAspire.Hosting.TestHost.dll"));

    [Fact]
    public async Task Every_child_is_gone_within_10_seconds_after_the_host_is_SIGKILLed()
    {
        using var host = StartHost();
        try
        {
            var pids = await ReadChildPidsAsync(host);
            Assert.Equal(3, pids.Count);
            Assert.All(pids, pid => Assert.True(IsAlive(pid), $"child {pid} should run before the host dies"));

            host.Kill(entireProcessTree: false);

            var deadline = Stopwatch.StartNew();
            while (pids.Any(IsAlive) && deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(100);
            }

            Assert.True(!pids.Any(IsAlive), $"children still alive 10 s after SIGKILL of the host: {string.Join(", ", pids.Where(IsAlive))}");
        }
        finally
        {
            if (!host.HasExited)
            {
                host.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task SIGINT_to_the_host_stops_every_child_and_the_host_exits_cleanly()
    {
        using var host = StartHost();
        try
        {
            var pids = await ReadChildPidsAsync(host);

            using (var kill = Process.Start("kill", ["-INT", host.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await host.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(0, host.ExitCode);
            Assert.True(!pids.Any(IsAlive), $"children still alive after the host stopped: {string.Join(", ", pids.Where(IsAlive))}");
        }
        finally
        {
            if (!host.HasExited)
            {
                host.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task When_the_hosts_parent_is_SIGKILLed_the_host_stops_its_children_and_exits()
    {
        // Like `dotnet run` being killed: the host is re-parented and must not live on with its children.
        using var parent = Process.Start(new ProcessStartInfo("sh", ["-c", $"dotnet '{TestHostAssembly}'; true"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        try
        {
            var pids = await ReadChildPidsAsync(parent);
            Assert.True(IsAlive(_hostPid));

            parent.Kill(entireProcessTree: false);

            var deadline = Stopwatch.StartNew();
            while ((IsAlive(_hostPid) || pids.Any(IsAlive)) && deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(100);
            }

            Assert.False(IsAlive(_hostPid), "the host outlived its parent by 10 s");
            Assert.True(!pids.Any(IsAlive), $"children still alive: {string.Join(", ", pids.Where(IsAlive))}");
        }
        finally
        {
            if (!parent.HasExited)
            {
                parent.Kill(entireProcessTree: true);
            }
        }
    }

    [Fact]
    public async Task A_parent_that_dies_before_the_host_starts_running_is_still_noticed()
    {
        // The parent is killed after READY but before RunAsync creates its watchdog: the host is already re-parented then.
        var release = Path.Combine(Path.GetTempPath(), $"creaspire-hold-{Guid.NewGuid():N}");
        using var parent = Process.Start(new ProcessStartInfo("sh", ["-c", $"dotnet '{TestHostAssembly}' --hold-before-run '{release}'; true"])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        })!;
        try
        {
            var pids = await ReadChildPidsAsync(parent);
            parent.Kill(entireProcessTree: false);
            var reparented = Stopwatch.StartNew();
            while (ParentOf(_hostPid) == parent.Id && reparented.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(20);
            }

            Assert.NotEqual(parent.Id, ParentOf(_hostPid));
            await File.WriteAllTextAsync(release, "go");

            var deadline = Stopwatch.StartNew();
            while ((IsAlive(_hostPid) || pids.Any(IsAlive)) && deadline.Elapsed < TimeSpan.FromSeconds(10))
            {
                await Task.Delay(100);
            }

            Assert.False(IsAlive(_hostPid), "the host outlived its parent by 10 s");
            Assert.True(!pids.Any(IsAlive), $"children still alive: {string.Join(", ", pids.Where(IsAlive))}");
        }
        finally
        {
            File.Delete(release);
            if (!parent.HasExited)
            {
                parent.Kill(entireProcessTree: true);
            }

            if (IsAlive(_hostPid))
            {
                Process.GetProcessById(_hostPid).Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>The parent pid from /proc/&lt;pid&gt;/stat (0 when the process is gone).</summary>
    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return 0;
        }
    }

    private int _hostPid;

    private static Process StartHost() => Process.Start(new ProcessStartInfo("dotnet", [TestHostAssembly])
    {
        RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
    })!;

    private async Task<List<int>> ReadChildPidsAsync(Process host)
    {
        using var timeout = new CancellationTokenSource(TestApp.DefaultTimeout);
        List<int>? pids = null;
        while (await host.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("HOST: ", StringComparison.Ordinal))
            {
                _hostPid = int.Parse(line["HOST: ".Length..], System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (line.StartsWith("PIDS: ", StringComparison.Ordinal))
            {
                pids = line["PIDS: ".Length..].Split(',').Select(int.Parse).ToList();
            }
            else if (line == "READY")
            {
                return pids ?? throw new InvalidOperationException("The test host said READY without listing PIDs.");
            }
        }

        throw new InvalidOperationException($"The test host ended before READY: {await host.StandardError.ReadToEndAsync(timeout.Token)}");
    }

    /// <summary>A zombie (killed, not yet reaped by init) counts as gone.</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var state = stat[(stat.LastIndexOf(')') + 2)..][0];
            return state is not ('Z' or 'X');
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException or IOException)
        {
            return false;
        }
    }
}
