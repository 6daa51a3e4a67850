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
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<StartupOutcome> Outcome => _outcome.Task;

    /// <summary>Completes once the reporter runs (it watches in the background from then on); for tests of start ordering.</summary>
    internal Task Started => _started.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var clock = new Elapsed(options.StartedAt);
        var state = new StartState(model);
        _started.TrySetResult();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(options.Timeout);
        StartupOutcome outcome;
        try
        {
            outcome = await WatchAsync(state, clock, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _outcome.TrySetResult(new StartupOutcome(false, state.Count, clock.Value, "The app stopped before every resource was up."));
            return;
        }
        catch (OperationCanceledException)
        {
            outcome = TimedOut(state, clock.Value);
        }

        if (!outcome.Succeeded)
        {
            // The failed resource's last words reach the log tail a moment after its state: let them arrive first.
            await logTail.SettleAsync(TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
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

    private async Task<StartupOutcome> WatchAsync(StartState state, Elapsed clock, CancellationToken cancellationToken)
    {
        // Progress comes from a timer, not from resource events: a start that stalls (a step that never ends, an
        // orchestrator that sends nothing) must still say every ProgressInterval what it waits for.
        using var watchEnded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var progress = ReportProgressAsync(state, clock, watchEnded.Token);
        try
        {
            await foreach (var change in notifications.WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                if (!state.Record(change.Resource, change.Snapshot, out var allUp))
                {
                    continue;
                }

                if (Failure(change.Resource, change.Snapshot) is { } reason)
                {
                    return new StartupOutcome(false, state.Count, clock.Value, $"The '{change.Resource.Name}' resource failed: {reason}", change.Resource.Name);
                }

                if (allUp)
                {
                    return new StartupOutcome(true, state.Count, clock.Value,
                        string.Create(CultureInfo.InvariantCulture, $"All {state.Count} resources are up in {clock.Value.TotalSeconds:0.0} s."));
                }
            }
        }
        finally
        {
            await watchEnded.CancelAsync().ConfigureAwait(false);
            await progress.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        throw new OperationCanceledException(cancellationToken);
    }

    private async Task ReportProgressAsync(StartState state, Elapsed clock, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.ProgressInterval);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            options.Write(state.ProgressLine(clock.Value));
        }
    }

    private StartupOutcome TimedOut(StartState state, TimeSpan elapsed)
    {
        var (culprit, snapshot) = state.Culprit();
        if (culprit is null)
        {
            return new StartupOutcome(false, 0, elapsed, string.Create(CultureInfo.InvariantCulture,
                $"The orchestrator reported no resource within {options.Timeout.TotalSeconds:0} s: DCP did not start (see the lines above)."));
        }

        var health = snapshot?.HealthReports.Where(h => h.Status != HealthStatus.Healthy).Select(h => h.Description ?? h.ExceptionText).FirstOrDefault(d => d is not null);
        var stateText = snapshot?.State?.Text ?? "not started";
        var reason = health is null ? $"it is {stateText}" : $"it is {stateText}, and its health check says: {health.TrimEnd('.')}";
        return new StartupOutcome(false, state.Count, elapsed,
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

    internal static bool IsUp(IResource resource, CustomResourceSnapshot snapshot)
    {
        var state = snapshot.State?.Text;
        if (resource is SetupStepResource)
        {
            return state == KnownResourceStates.Finished && snapshot.ExitCode == 0;
        }

        return state == KnownResourceStates.Running
               && (!resource.TryGetAnnotationsOfType<HealthCheckAnnotation>(out _) || snapshot.HealthStatus == HealthStatus.Healthy);
    }

    internal static bool IsHidden(IResource resource) =>
        resource.TryGetLastAnnotation<ResourceSnapshotAnnotation>(out var initial) && initial.InitialSnapshot.IsHidden;
}

/// <summary>
/// The resources a start waits for and their latest snapshots, shared by the event loop and the progress timer. The set is
/// taken from the model when the orchestrator reports its first resource, not when the reporter starts: the reporter starts
/// from a BeforeStartEvent handler and runs beside the handlers after it, which still add resources (Aspire's dashboard,
/// hidden) to the model. A resource whose snapshot says it is hidden is never waited for.
/// </summary>
internal sealed class StartState(DistributedApplicationModel model)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, IResource> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, CustomResourceSnapshot> _latest = new(StringComparer.Ordinal);
    private bool _captured;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _resources.Count;
            }
        }
    }

    /// <summary>Records a change; false when the resource is not one the start waits for. <paramref name="allUp"/>: every resource is up.</summary>
    public bool Record(IResource resource, CustomResourceSnapshot snapshot, out bool allUp)
    {
        lock (_gate)
        {
            if (!_captured)
            {
                foreach (var r in model.Resources.ToArray().Where(r => !StartupReporter.IsHidden(r)))
                {
                    _resources.TryAdd(r.Name, r);
                }

                _captured = true;
            }

            allUp = false;
            if (snapshot.IsHidden)
            {
                _resources.Remove(resource.Name);
                _latest.Remove(resource.Name);
                return false;
            }

            if (!_resources.ContainsKey(resource.Name))
            {
                if (StartupReporter.IsHidden(resource) || !model.Resources.Contains(resource))
                {
                    return false;
                }

                _resources[resource.Name] = resource;
            }

            _latest[resource.Name] = snapshot;
            allUp = _resources.Values.All(IsUpLocked);
            return true;
        }
    }

    public string ProgressLine(TimeSpan elapsed)
    {
        lock (_gate)
        {
            if (_resources.Count == 0)
            {
                return FormattableString.Invariant($"No resource reported after {elapsed.TotalSeconds:0} s; waiting for the orchestrator (DCP) to start.");
            }

            var pending = _resources.Values.Where(r => !IsUpLocked(r)).ToList();
            var waitingFor = string.Join(", ", pending.Take(8).Select(r => $"{r.Name} ({_latest.GetValueOrDefault(r.Name)?.State?.Text ?? "not started"})"));
            var more = pending.Count > 8 ? $" and {pending.Count - 8} more" : "";
            return FormattableString.Invariant(
                $"{_resources.Count - pending.Count} of {_resources.Count} resources up after {elapsed.TotalSeconds:0} s; waiting for {waitingFor}{more}.");
        }
    }

    /// <summary>The resource to blame when the start times out, with its latest snapshot; null when none was reported.</summary>
    public (IResource? Resource, CustomResourceSnapshot? Snapshot) Culprit()
    {
        lock (_gate)
        {
            // Blame a resource that runs but is not healthy before one that is still waiting (for that one, usually).
            var notUp = _resources.Values.Where(r => !IsUpLocked(r)).ToList();
            if (notUp.Count == 0)
            {
                return (null, null);
            }

            // Groups (a DON waits for its members) come last: the member that is not up says more.
            string? StateOf(IResource r) => _latest.GetValueOrDefault(r.Name)?.State?.Text;
            bool IsGroup(IResource r) => _latest.GetValueOrDefault(r.Name)?.ResourceType == "DON";
            var culprit = notUp.FirstOrDefault(r => !IsGroup(r) && StateOf(r) == KnownResourceStates.Running)
                          ?? notUp.FirstOrDefault(r => !IsGroup(r) && StateOf(r) != KnownResourceStates.Waiting)
                          ?? notUp.First();
            return (culprit, _latest.GetValueOrDefault(culprit.Name));
        }
    }

    private bool IsUpLocked(IResource resource) => _latest.TryGetValue(resource.Name, out var s) && StartupReporter.IsUp(resource, s);
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
