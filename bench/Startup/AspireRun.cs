using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using CreAspire.Bench;

namespace CreAspire.Startup.Bench;

/// <summary>A resource process as DCP launched it: what the floor starts again.</summary>
internal sealed record LaunchedProcess(string Name, string Executable, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory, int Uid, int Gid);

/// <summary>One launch of the AppHost: launch → all up, idle memory by group, and the resource processes it ran.</summary>
internal sealed record AspireRun(TimeSpan AllUp, int Resources, MemorySample Idle, IReadOnlyList<LaunchedProcess> Launched, string RunFolder)
{
    private static readonly string Configuration =
        typeof(AspireRun).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyConfigurationAttribute), false)
            .Cast<System.Reflection.AssemblyConfigurationAttribute>().FirstOrDefault()?.Configuration ?? "Release";

    public static string AppHostDirectory { get; } = Projects.CreAspire_AppHost.ProjectPath.EndsWith(".csproj", StringComparison.Ordinal)
        ? Path.GetDirectoryName(Projects.CreAspire_AppHost.ProjectPath)!
        : Projects.CreAspire_AppHost.ProjectPath;

    public static async Task<AspireRun> MeasureAsync(string[] args, TimeSpan settle)
    {
        var info = new ProcessStartInfo(Path.Combine(AppHostDirectory, "bin", Configuration, "net10.0", "CreAspire.AppHost"))
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = AppHostDirectory,
        };
        foreach (var arg in args.Concat(["--port-base", "0", "--keep-data", "true"]))
        {
            info.ArgumentList.Add(arg);
        }

        // The http launch profile, on free ports.
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        info.Environment["ASPNETCORE_URLS"] = $"http://localhost:{FreePort()}";
        info.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://localhost:{FreePort()}";
        info.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://localhost:{FreePort()}";
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        var up = new TaskCompletionSource<(TimeSpan At, string Line)>(TaskCreationOptions.RunContinuationsAsynchronously);
        string? runFolder = null;
        var output = new List<string>();
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (output)
            {
                output.Add(line);
            }

            if (line.StartsWith("All ", StringComparison.Ordinal) && line.Contains(" resources are up in ", StringComparison.Ordinal))
            {
                up.TrySetResult((clock.Elapsed, line));
            }
            else if (line.StartsWith("Logs and data: ", StringComparison.Ordinal))
            {
                runFolder = line["Logs and data: ".Length..line.IndexOf(". Press", StringComparison.Ordinal)];
            }
            else if (line.Contains(" resource failed: ", StringComparison.Ordinal) || line.Contains(" resource was not up within ", StringComparison.Ordinal))
            {
                up.TrySetException(new InvalidOperationException(line));
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var (at, line) = await up.Task.WaitAsync(TimeSpan.FromMinutes(6));
            var resources = int.Parse(line.Split(' ')[1], CultureInfo.InvariantCulture);
            for (var i = 0; runFolder is null && i < 50; i++)
            {
                await Task.Delay(20);
            }

            await Task.Delay(settle); // let the freshly started processes finish their start-up work before "idle"
            var idle = TopologyMemory.Sample(process.Id);
            var launched = Capture(process.Id);
            return new AspireRun(at, resources, idle, launched, runFolder ?? "");
        }
        catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
        {
            lock (output)
            {
                Console.Error.WriteLine(string.Join('\n', output.TakeLast(60)));
            }

            throw;
        }
        finally
        {
            await StopAsync(process);
        }
    }

    /// <summary>SIGTERM, then wait until the AppHost and its DCP are gone.</summary>
    private static async Task StopAsync(Process process)
    {
        var dcp = Processes.All().Where(p => p.CommandLine.Contains($"--monitor {process.Id} ", StringComparison.Ordinal)).Select(p => p.Pid).ToList();
        if (!process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        while (dcp.Any(p => Directory.Exists($"/proc/{p}")) && !timeout.IsCancellationRequested)
        {
            await Task.Delay(100);
        }
    }

    private static IReadOnlyList<LaunchedProcess> Capture(int appHostPid)
    {
        var all = Processes.All();
        // DCP's API server watches the AppHost; its controllers (which launch the resources) are its children.
        var dcp = all.Where(p => p.CommandLine.Contains($"--monitor {appHostPid} ", StringComparison.Ordinal)).Select(p => p.Pid).ToHashSet();
        dcp.UnionWith(all.Where(p => dcp.Contains(p.Parent) && p.CommandLine.Contains("run-controllers", StringComparison.Ordinal)).Select(p => p.Pid).ToList());
        return all.Where(p => dcp.Contains(p.Parent) && !p.CommandLine.Contains("monitor-process", StringComparison.Ordinal)
                              && !p.CommandLine.Contains("run-controllers", StringComparison.Ordinal) && !p.CommandLine.Contains("Aspire.Dashboard", StringComparison.Ordinal))
            .Select(p =>
            {
                var arguments = Processes.Arguments(p.Pid);
                var ids = File.ReadLines($"/proc/{p.Pid}/status").First(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries);
                var gids = File.ReadLines($"/proc/{p.Pid}/status").First(l => l.StartsWith("Gid:", StringComparison.Ordinal)).Split('\t', StringSplitOptions.RemoveEmptyEntries);
                return new LaunchedProcess(TopologyMemory.ResourceName(p.Pid), new FileInfo($"/proc/{p.Pid}/exe").LinkTarget ?? arguments[0], arguments.Skip(1).ToList(),
                    Processes.Environment(p.Pid), new DirectoryInfo($"/proc/{p.Pid}/cwd").LinkTarget ?? "/",
                    int.Parse(ids[1], CultureInfo.InvariantCulture), int.Parse(gids[1], CultureInfo.InvariantCulture));
            })
            .ToList();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
