using System.Globalization;
using Aspire.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace CreAspire.Hosting.Run;

/// <summary>
/// The folder of one AppHost run: <c>logs/&lt;resource&gt;.log</c>, <c>data/</c> (Postgres), the enclave identity. Default:
/// <c>/tmp/creaspire/run-&lt;utc&gt;-&lt;pid&gt;-&lt;rand&gt;</c>; <c>--run-dir</c> chooses another, <c>--keep-data true</c> keeps
/// data/ after the app stops. The run holds <c>.lock</c> open (an exclusive lock the kernel drops with the process, even on
/// SIGKILL), so the next start can tell a killed run's folder from a live one and clean it up.
/// </summary>
public sealed class RunFolder : IDisposable
{
    /// <summary>Stale runs whose logs are kept (newest first); their data is always deleted.</summary>
    public const int KeptStaleRuns = 5;

    private const string LockFileName = ".lock";
    private readonly FileStream _lock;

    private RunFolder(string path, bool keepData)
    {
        Path = path;
        KeepData = keepData;
        Directory.CreateDirectory(path);
        _lock = new FileStream(System.IO.Path.Combine(path, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
    }

    public string Path { get; }

    public bool KeepData { get; }

    /// <summary>The run folder of the app being built (created, and stale runs cleaned, on first use).</summary>
    public static RunFolder For(IDistributedApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.FirstOrDefault(s => s.ServiceType == typeof(RunFolder))?.ImplementationInstance is RunFolder existing)
        {
            return existing;
        }

        var keepData = bool.TryParse(builder.Configuration["keep-data"] ?? builder.Configuration["CreAspire:KeepData"], out var keep) && keep;
        var requested = builder.Configuration["run-dir"] ?? builder.Configuration["CreAspire:RunDirectory"];
        var parent = SharedFolders.Create(SharedFolders.Root);
        CleanStaleRuns(parent);
        var path = requested is { Length: > 0 }
            ? System.IO.Path.GetFullPath(requested)
            : System.IO.Path.Combine(parent, string.Create(CultureInfo.InvariantCulture,
                $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}"));
        var folder = new RunFolder(path, keepData);
        builder.Services.AddSingleton(folder);
        return folder;
    }

    /// <summary>
    /// Deletes the data folder of every run under <paramref name="root"/> whose AppHost is gone (its lock can be taken) and the
    /// whole folder of all but the newest <see cref="KeptStaleRuns"/> of them. A run folder without a lock file (written by an
    /// older CreAspire) counts as stale when no process has the pid in its name.
    /// </summary>
    public static IReadOnlyList<string> CleanStaleRuns(string root)
    {
        var stale = new List<DirectoryInfo>();
        foreach (var run in new DirectoryInfo(root).EnumerateDirectories("run-*"))
        {
            if (IsStale(run))
            {
                stale.Add(run);
            }
        }

        var cleaned = new List<string>();
        foreach (var (run, index) in stale.OrderByDescending(r => r.LastWriteTimeUtc).Select((r, i) => (r, i)))
        {
            try
            {
                var target = index < KeptStaleRuns ? System.IO.Path.Combine(run.FullName, "data") : run.FullName;
                if (Directory.Exists(target))
                {
                    Directory.Delete(target, recursive: true);
                    cleaned.Add(target);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Another AppHost is cleaning the same folder, or a file is in use: the next start tries again.
            }
        }

        return cleaned;
    }

    private static bool IsStale(DirectoryInfo run)
    {
        var lockFile = System.IO.Path.Combine(run.FullName, LockFileName);
        if (!File.Exists(lockFile))
        {
            var parts = run.Name.Split('-');
            return parts.Length < 4 || !int.TryParse(parts[3], NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || !OwnerProcess.IsAlive(pid);
        }

        try
        {
            using var probe = new FileStream(lockFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false; // held by a live AppHost
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    public void Dispose() => _lock.Dispose();
}
