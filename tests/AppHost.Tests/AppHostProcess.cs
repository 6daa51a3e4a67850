using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using CreAspire.Hosting.Run;

namespace CreAspire.AppHost.Tests;

/// <summary>
/// The built AppHost as a real process, the way a user runs it (`dotnet run --project AppHost`, or its executable): free
/// ports for the dashboard and the topology, output captured, and every process of its topology found (DCP runs detached,
/// so that includes the DCP processes that watch this AppHost and their children).
/// </summary>
internal sealed class AppHostProcess : IAsyncDisposable
{
    private static readonly string Configuration =
        typeof(AppHostProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<string> _up = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private AppHostProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static string AppHostProject { get; } = Projects.CreAspire_AppHost.ProjectPath.EndsWith(".csproj", StringComparison.Ordinal)
        ? Path.GetDirectoryName(Projects.CreAspire_AppHost.ProjectPath)!
        : Projects.CreAspire_AppHost.ProjectPath;

    public int Pid => _process.Id;

    /// <summary>The Aspire dashboard's browser URL (the ASPNETCORE_URLS this process was given).</summary>
    public Uri? DashboardUrl { get; private init; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <c>dotnet run --project AppHost --no-build</c> in a session of its own (so a group signal reaches only it, as
    /// Ctrl+C in its terminal would), with SIGINT's default action restored whatever the test runner inherited.
    /// </summary>
    public static AppHostProcess StartWithDotnetRun(params string[] args) => StartWithDotnetRun(new Dictionary<string, string>(), args);

    /// <summary>As <see cref="StartWithDotnetRun(string[])"/>, with <paramref name="environment"/> added to what the launch profile sets.</summary>
    public static AppHostProcess StartWithDotnetRun(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var info = new ProcessStartInfo("setsid")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = AppHostProject,
        };
        foreach (var arg in new[] { "env", "--default-signal=INT", "dotnet", "run", "--project", AppHostProject, "--no-build", "-c", Configuration, "--no-launch-profile", "--" }
                     .Concat(args))
        {
            info.ArgumentList.Add(arg);
        }

        SetEnvironment(info);
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return new AppHostProcess(Process.Start(info)!) { DashboardUrl = new Uri(info.Environment["ASPNETCORE_URLS"]!) };
    }

    /// <summary>Runs the AppHost's own executable to its end (e.g. manifest publishing).</summary>
    public static async Task<(int ExitCode, string Output)> RunToEndAsync(string[] args, TimeSpan timeout)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = AppHostProject,
        };
        info.ArgumentList.Add(Path.Combine(AppHostProject, "bin", Configuration, "net10.0", "CreAspire.AppHost.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        SetEnvironment(info);
        await using var host = new AppHostProcess(Process.Start(info)!);
        await host._process.WaitForExitAsync().WaitAsync(timeout);
        return (host._process.ExitCode, host.Output);
    }

    /// <summary>Waits for the line <c>All N resources are up in X s.</c> and returns it.</summary>
    public Task<string> WaitUntilUpAsync(TimeSpan timeout) => _up.Task.WaitAsync(timeout);

    /// <summary>
    /// A URL the AppHost prints right after the "All N resources are up" line: <c>{label}: {url}</c>
    /// ("Explorer: http://127.0.0.1:19006"). Waits for the line, at most <paramref name="timeout"/>.
    /// </summary>
    public async Task<Uri> LinkAsync(string label, TimeSpan timeout)
    {
        var line = await LineAsync(label + ": http", timeout);
        return new Uri(line[(label.Length + 2)..]);
    }

    /// <summary>
    /// The first output line (trimmed) that starts with <paramref name="prefix"/>; waits for it at most
    /// <paramref name="timeout"/>. The lines after "All N resources are up" (links, run folder) are written a moment
    /// after it, so a test that needs one waits for it rather than reading the output once.
    /// </summary>
    public async Task<string> LineAsync(string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (Output.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal)) is { } line)
            {
                return line;
            }

            if (DateTime.UtcNow >= deadline || _process.HasExited)
            {
                throw new InvalidOperationException($"The AppHost printed no line starting '{prefix}' within {timeout.TotalSeconds:0} s:\n{Output}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }
    }

    /// <summary>The pid of the AppHost itself (a child of <c>dotnet run</c>).</summary>
    public int AppHostPid() => ProcessTree.Descendants(Pid).FirstOrDefault(p => ProcessTree.CommandLine(p).Contains("CreAspire.AppHost", StringComparison.Ordinal)) is var pid and > 0
        ? pid
        : throw new InvalidOperationException($"No AppHost process under {Pid}:\n{Output}");

    /// <summary>Every live process of this topology: dotnet run, the AppHost, DCP (which watches the AppHost's pid) and their descendants.</summary>
    public IReadOnlyList<int> TopologyProcesses()
    {
        var appHost = AppHostPid();
        var dcp = ProcessTree.All().Where(p => ProcessTree.CommandLine(p).Contains($"--monitor {appHost.ToString(CultureInfo.InvariantCulture)}", StringComparison.Ordinal));
        return new[] { Pid }.Concat(ProcessTree.Descendants(Pid)).Concat(dcp.SelectMany(d => ProcessTree.Descendants(d).Prepend(d))).Distinct().ToList();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
        }

        _process.Dispose();
    }

    private static void SetEnvironment(ProcessStartInfo info)
    {
        // What the http launch profile sets, on free ports so that tests and a developer's AppHost never collide.
        info.Environment["DOTNET_ENVIRONMENT"] = "Development";
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        info.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        info.Environment["ASPNETCORE_URLS"] = $"http://localhost:{FreePorts.Next()}";
        info.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://localhost:{FreePorts.Next()}";
        info.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://localhost:{FreePorts.Next()}";
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        if (line.StartsWith("All ", StringComparison.Ordinal) && line.Contains(" resources are up in ", StringComparison.Ordinal))
        {
            _up.TrySetResult(line);
        }
        else if (line.Contains(" resource failed: ", StringComparison.Ordinal) || line.Contains(" resource was not up within ", StringComparison.Ordinal))
        {
            _up.TrySetException(new InvalidOperationException(line));
        }
    }
}

/// <summary>Processes from /proc.</summary>
internal static class ProcessTree
{
    public static IEnumerable<int> All() =>
        Directory.EnumerateDirectories("/proc").Select(Path.GetFileName).Select(n => int.TryParse(n, out var pid) ? pid : 0).Where(p => p > 0);

    public static IEnumerable<int> Descendants(int pid)
    {
        var children = All().Select(p => (Pid: p, Parent: ParentOf(p))).Where(p => p.Parent > 0).ToLookup(p => p.Parent, p => p.Pid);
        var pending = new Queue<int>([pid]);
        while (pending.TryDequeue(out var current))
        {
            foreach (var child in children[current])
            {
                yield return child;
                pending.Enqueue(child);
            }
        }
    }

    /// <summary>A zombie (killed, not yet reaped) counts as gone.</summary>
    public static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] is not ('Z' or 'X');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return "";
        }
    }

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return 0;
        }
    }
}
