using System.Collections.Concurrent;
using System.Diagnostics;

namespace CreAspire.Hosting.Processes;

/// <summary>
/// Starts every child process from one dedicated, never-ending thread, wrapped in <c>setpriv --pdeathsig KILL</c>. The kernel's
/// parent-death signal fires when the thread that forked the child exits, so forking from thread-pool threads (which retire)
/// would kill children at random; forking from this thread ties the children's lives to the host process, even under SIGKILL.
/// </summary>
internal static class ChildProcessLauncher
{
    private static readonly BlockingCollection<(ProcessStartInfo Info, TaskCompletionSource<Process> Started)> Queue = [];
    private static readonly Lazy<string?> Setpriv = new(() => FindTool("setpriv"));
    private static readonly Lazy<string?> Setsid = new(() => FindTool("setsid"));

    static ChildProcessLauncher()
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "creaspire-child-launcher" };
        thread.Start();
    }

    /// <summary>True when children die with the host (Linux with setpriv).</summary>
    public static bool HasParentDeathSignal => Setpriv.Value is not null;

    public static Task<Process> StartAsync(ProcessSpec spec, CancellationToken cancellationToken)
    {
        var info = CreateStartInfo(spec);
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        Queue.Add((info, started), cancellationToken);
        return started.Task;
    }

    private static ProcessStartInfo CreateStartInfo(ProcessSpec spec)
    {
        var info = new ProcessStartInfo
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = spec.WorkingDirectory,
        };
        if (Setpriv.Value is { } setpriv)
        {
            // setsid: the child gets its own session, so a terminal's Ctrl+C reaches only the host, which stops children in order.
            if (Setsid.Value is { } setsid)
            {
                info.FileName = setsid;
                info.ArgumentList.Add(setpriv);
            }
            else
            {
                info.FileName = setpriv;
            }

            info.ArgumentList.Add("--pdeathsig");
            info.ArgumentList.Add("KILL");
            if (spec.RunAs is { } user)
            {
                info.ArgumentList.Add($"--reuid={user.Uid}");
                info.ArgumentList.Add($"--regid={user.Gid}");
                info.ArgumentList.Add("--clear-groups");
            }

            info.ArgumentList.Add("--");
            info.ArgumentList.Add(spec.FileName);
        }
        else
        {
            info.FileName = spec.FileName;
        }

        foreach (var arg in spec.Args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in spec.Environment)
        {
            info.Environment[key] = value;
        }

        return info;
    }

    private static void Run()
    {
        foreach (var (info, started) in Queue.GetConsumingEnumerable())
        {
            try
            {
                var process = new Process { StartInfo = info, EnableRaisingEvents = true };
                process.Start();
                started.TrySetResult(process);
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                started.TrySetException(ex);
            }
        }
    }

    private static string? FindTool(string name) => OperatingSystem.IsLinux()
        ? new[] { "/usr/bin/", "/bin/", "/usr/sbin/" }.Select(dir => dir + name).FirstOrDefault(File.Exists)
        : null;
}
