using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace CreAspire.Hosting.Run;

/// <summary>How the start of the app ended: every resource up, or the first one that failed and why.</summary>
public sealed record StartupOutcome(bool Succeeded, int Resources, TimeSpan Elapsed, string Message, string? FailedResource = null);

/// <summary>
/// Watches the app start: prints <c>All N resources are up in X s.</c> once every resource is up (Running and healthy, setup
/// steps Finished), or, when one fails (exits, fails to start, a step errors, never healthy within the start-up timeout),
/// prints one sentence naming it with its reason and last log lines, and stops the app with exit code 1.
/// </summary>
public sealed class StartupReporter(
    DistributedApplicationModel model,
    ResourceNotificationService notifications,
    ResourceLogTail logTail,
    IHostApplicationLifetime lifetime,
    StartupReporterOptions options) : BackgroundService
{
    private readonly TaskCompletionSource<StartupOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<StartupOutcome> Outcome => _outcome.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var clock = new Elapsed(options.StartedAt);
        var resources = model.Resources.Where(r => !IsHidden(r)).ToDictionary(r => r.Name, StringComparer.Ordinal);
        var latest = new Dictionary<string, CustomResourceSnapshot>(StringComparer.Ordinal);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(options.Timeout);
        StartupOutcome outcome;
        try
        {
            outcome = await WatchAsync(resources, latest, clock, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _outcome.TrySetResult(new StartupOutcome(false, resources.Count, clock.Value, "The app stopped before every resource was up."));
            return;
        }
        catch (OperationCanceledException)
        {
            outcome = TimedOut(resources, latest, clock.Value);
        }

        _outcome.TrySetResult(outcome);
        if (outcome.Succeeded)
        {
            options.Write(outcome.Message);
            foreach (var (label, url) in options.Links)
            {
                options.Write($"{label}: {url}");
            }

            if (options.RunFolder is { } folder)
            {
                options.Write($"Logs and data: {folder}. Press Ctrl+C to stop.");
            }

            return;
        }

        options.WriteError(outcome.Message);
        if (outcome.FailedResource is { } failed && logTail.LastLines(failed) is { Count: > 0 } lines)
        {
            options.WriteError($"Last lines of '{failed}':");
            foreach (var line in lines)
            {
                options.WriteError("  " + line);
            }
        }

        if (options.StopOnFailure)
        {
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }

    private async Task<StartupOutcome> WatchAsync(
        Dictionary<string, IResource> resources, Dictionary<string, CustomResourceSnapshot> latest, Elapsed clock, CancellationToken cancellationToken)
    {
        var nextProgress = DateTime.UtcNow + options.ProgressInterval;
        await foreach (var change in notifications.WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            if (DateTime.UtcNow >= nextProgress)
            {
                nextProgress = DateTime.UtcNow + options.ProgressInterval;
                var pending = resources.Values.Where(r => !(latest.TryGetValue(r.Name, out var s) && IsUp(r, s))).ToList();
                var waitingFor = string.Join(", ", pending.Take(8).Select(r => $"{r.Name} ({latest.GetValueOrDefault(r.Name)?.State?.Text ?? "not started"})"));
                var more = pending.Count > 8 ? $" and {pending.Count - 8} more" : "";
                options.Write(FormattableString.Invariant(
                    $"{resources.Count - pending.Count} of {resources.Count} resources up after {clock.Value.TotalSeconds:0} s; waiting for {waitingFor}{more}."));
            }

            if (!resources.TryGetValue(change.Resource.Name, out var resource))
            {
                continue;
            }

            latest[resource.Name] = change.Snapshot;
            if (Failure(resource, change.Snapshot) is { } reason)
            {
                return new StartupOutcome(false, resources.Count, clock.Value, $"The '{resource.Name}' resource failed: {reason}", resource.Name);
            }

            if (resources.Values.All(r => latest.TryGetValue(r.Name, out var s) && IsUp(r, s)))
            {
                return new StartupOutcome(true, resources.Count, clock.Value,
                    string.Create(CultureInfo.InvariantCulture, $"All {resources.Count} resources are up in {clock.Value.TotalSeconds:0.0} s."));
            }
        }

        throw new OperationCanceledException(cancellationToken);
    }

    private StartupOutcome TimedOut(Dictionary<string, IResource> resources, Dictionary<string, CustomResourceSnapshot> latest, TimeSpan elapsed)
    {
        // Blame a resource that runs but is not healthy before one that is still waiting (for that one, usually).
        var notUp = resources.Values.Where(r => !(latest.TryGetValue(r.Name, out var s) && IsUp(r, s))).ToList();
        // Groups (a DON waits for its members) come last: the member that is not up says more.
        string? StateOf(IResource r) => latest.GetValueOrDefault(r.Name)?.State?.Text;
        bool IsGroup(IResource r) => latest.GetValueOrDefault(r.Name)?.ResourceType == "DON";
        var culprit = notUp.FirstOrDefault(r => !IsGroup(r) && StateOf(r) == KnownResourceStates.Running)
                      ?? notUp.FirstOrDefault(r => !IsGroup(r) && StateOf(r) != KnownResourceStates.Waiting)
                      ?? notUp.First();
        var snapshot = latest.GetValueOrDefault(culprit.Name);
        var health = snapshot?.HealthReports.Where(h => h.Status != HealthStatus.Healthy).Select(h => h.Description ?? h.ExceptionText).FirstOrDefault(d => d is not null);
        var state = snapshot?.State?.Text ?? "not started";
        var reason = health is null ? $"it is {state}" : $"it is {state}, and its health check says: {health.TrimEnd('.')}";
        return new StartupOutcome(false, resources.Count, elapsed,
            string.Create(CultureInfo.InvariantCulture, $"The '{culprit.Name}' resource was not up within {options.Timeout.TotalSeconds:0} s: {reason}."), culprit.Name);
    }

    private static string? Failure(IResource resource, CustomResourceSnapshot snapshot)
    {
        var state = snapshot.State?.Text;
        var setupError = snapshot.Properties.FirstOrDefault(p => p.Name == "setup.error")?.Value as string;
        if (state == KnownResourceStates.FailedToStart)
        {
            return setupError is null ? "it failed to start (see its log)." : $"{setupError.TrimEnd('.')}.";
        }

        if (state == KnownResourceStates.RuntimeUnhealthy)
        {
            return "the container runtime is unhealthy; run without --containers true, or start Docker/Podman.";
        }

        if ((state == KnownResourceStates.Exited || state == KnownResourceStates.Finished) && resource is not SetupStepResource)
        {
            return $"it exited with code {snapshot.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "unknown"} before the app was up.";
        }

        return state == KnownResourceStates.Finished && snapshot.ExitCode is not 0 ? $"it finished with exit code {snapshot.ExitCode}." : null;
    }

    private static bool IsUp(IResource resource, CustomResourceSnapshot snapshot)
    {
        var state = snapshot.State?.Text;
        if (resource is SetupStepResource)
        {
            return state == KnownResourceStates.Finished && snapshot.ExitCode == 0;
        }

        return state == KnownResourceStates.Running
               && (!resource.TryGetAnnotationsOfType<HealthCheckAnnotation>(out _) || snapshot.HealthStatus == HealthStatus.Healthy);
    }

    private static bool IsHidden(IResource resource) =>
        resource.TryGetLastAnnotation<ResourceSnapshotAnnotation>(out var initial) && initial.InitialSnapshot.IsHidden;
}

internal readonly struct Elapsed(DateTime startedAtUtc)
{
    public TimeSpan Value => DateTime.UtcNow - startedAtUtc;
}

/// <summary>How the <see cref="StartupReporter"/> reports.</summary>
public sealed class StartupReporterOptions
{
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Set the exit code to 1 and stop the app when a resource fails (the AppHost; tests keep the app to inspect it).</summary>
    public bool StopOnFailure { get; set; } = true;

    /// <summary>When the launch began (default: when this process started), so the time printed is launch → all up.</summary>
    public DateTime StartedAt { get; set; } = Process.GetCurrentProcess().StartTime.ToUniversalTime();

    /// <summary>The run folder, printed once every resource is up.</summary>
    public string? RunFolder { get; set; }

    /// <summary>Named URLs printed once every resource is up ("Explorer: http://127.0.0.1:19006").</summary>
    public IList<(string Label, string Url)> Links { get; } = [];

    /// <summary>How often a line says how many resources are up while the app starts.</summary>
    public TimeSpan ProgressInterval { get; set; } = TimeSpan.FromSeconds(10);

    public Action<string> Write { get; set; } = Console.WriteLine;

    public Action<string> WriteError { get; set; } = Console.Error.WriteLine;
}
