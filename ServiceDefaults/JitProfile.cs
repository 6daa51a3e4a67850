using System.Runtime;
using Microsoft.Extensions.DependencyInjection;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The runtime's multicore JIT (System.Runtime.ProfileOptimization) for a service: with CREASPIRE_JIT_PROFILE set to a file
/// (the AppHost sets &lt;service output&gt;/jit-profiles/&lt;resource&gt;.jitprofile), the methods the last run of this service
/// JIT-compiled are compiled again on a background thread from the start, and this run's list replaces the file when the
/// service stops. Why: the services are ReadyToRun with tiered compilation off, and what ReadyToRun cannot precompile
/// (generic instantiations across assemblies, chiefly async state machines over Npgsql, Dapper, Polly and our own types)
/// is JIT-compiled fully optimized on first use: a workflow node compiled about 900 methods (0.9-1.3 s of JIT on a loaded
/// 2-core machine) in the first confidential deploy and execution, a capability node 150, the enclave 390 (bench/E2E
/// --trace true, 2026-12-06). Played back, those fell to 20-160 per node. Tiered compilation on instead made them cheap
/// to compile but the steady state 2x slower in the same session (tier-0 code), so it stays off.
/// The run records into a private folder next to the file and moves its profile into place (a rename), so services of two
/// topologies sharing a build never interleave writes; a missing, stale or unreadable profile only means nothing is
/// played back (the runtime skips modules whose version changed).
/// </summary>
public sealed class JitProfile
{
    public const string Variable = "CREASPIRE_JIT_PROFILE";

    private readonly string _workFolder;
    private int _stopped;

    private JitProfile(string target, string workFolder)
    {
        Target = target;
        _workFolder = workFolder;
    }

    /// <summary>The profile file this process plays back and writes.</summary>
    public string Target { get; }

    /// <summary>
    /// When <see cref="Variable"/> names a file: starts playback and recording now and writes the profile when the host
    /// begins to stop (before the services shut down, so a slow one cannot lose it). Otherwise does nothing.
    /// </summary>
    internal static void AddIfRequested(IServiceCollection services)
    {
        if (Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } path && Start(path) is { } profile)
        {
            services.AddHostedService(sp => new Writer(profile, sp.GetRequiredService<IHostApplicationLifetime>()));
        }
    }

    /// <summary>Starts playback of <paramref name="path"/> (when it exists) and recording; a process can do this once.</summary>
    public static JitProfile? Start(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var target = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(target)!;
        var work = Path.Combine(folder, $".{Path.GetFileName(target)}.{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(work);
            if (File.Exists(target))
            {
                File.Copy(target, Path.Combine(work, Path.GetFileName(target)), overwrite: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A read-only or full disk: run without the profile rather than not at all.
            return null;
        }

        ProfileOptimization.SetProfileRoot(work);
        ProfileOptimization.StartProfile(Path.GetFileName(target));
        return new JitProfile(target, work);
    }

    /// <summary>Stops recording and moves this run's profile into place (once; later calls do nothing).</summary>
    public void Stop()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        ProfileOptimization.StartProfile(null); // stops the recorder, which writes its file
        var written = Path.Combine(_workFolder, Path.GetFileName(Target));
        try
        {
            if (File.Exists(written) && new FileInfo(written).Length > 0)
            {
                File.Move(written, Target, overwrite: true);
            }

            Directory.Delete(_workFolder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Keeping last run's profile is fine; a leftover work folder stays until removed by hand (or a rebuild's clean).
        }
    }

    private sealed class Writer(JitProfile profile, IHostApplicationLifetime lifetime) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.ApplicationStopping.Register(profile.Stop);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask; // written at ApplicationStopping
    }
}
