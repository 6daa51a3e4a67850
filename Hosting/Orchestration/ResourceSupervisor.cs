namespace CreAspire.Hosting.Orchestration;

/// <summary>
/// Drives one resource through its states: NotStarted → Waiting (dependencies, with a deadline) → Starting → Running →
/// Healthy ⇄ Unhealthy → Finished / Exited, or FailedToStart with a reason a person can act on.
/// </summary>
internal sealed class ResourceSupervisor(ResourceRunner runner, RunContext context)
{
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _stopRequested;

    public IResource Resource => runner.Resource;

    public ResourceRunner Runner => runner;

    /// <summary>The first failure of this resource itself (not of a dependency), for the start error.</summary>
    public DistributedApplicationException? RootFailure { get; private set; }

    public Task RunAsync() => Task.Run(RunCoreAsync);

    public async Task StopAsync()
    {
        _stopRequested = true;
        await _stopping.CancelAsync().ConfigureAwait(false);
        var wasRunning = runner.Pid is not null || runner.Completion is not null;
        if (wasRunning && !KnownResourceStates.IsTerminal(State))
        {
            await PublishAsync(s => s with { State = KnownResourceStates.Stopping }).ConfigureAwait(false);
        }

        await runner.StopAsync().ConfigureAwait(false);
        if (!KnownResourceStates.IsTerminal(State))
        {
            var code = runner.Completion is { IsCompleted: true } done ? done.Result : (int?)null;
            await PublishAsync(s => s with
            {
                State = wasRunning ? KnownResourceStates.Exited : KnownResourceStates.NotStarted,
                ExitCode = code,
                StoppedAt = DateTimeOffset.UtcNow,
                HealthStatus = null,
            }).ConfigureAwait(false);
        }
    }

    private string State => context.Notifications.GetSnapshot(Resource.Name).State;

    private async Task RunCoreAsync()
    {
        var token = _stopping.Token;
        try
        {
            await new DependencyWaiter(context).WaitAsync(Resource, token).ConfigureAwait(false);
            await PublishAsync(s => s with { State = KnownResourceStates.Starting, Message = null }).ConfigureAwait(false);
            await runner.StartAsync(token).ConfigureAwait(false);
            await PublishAsync(s => s with { State = KnownResourceStates.Running, Pid = runner.Pid, StartedAt = DateTimeOffset.UtcNow })
                .ConfigureAwait(false);
            await MonitorAsync(token).ConfigureAwait(false);
        }
        catch (Exception) when (_stopRequested)
        {
            // Stopped while waiting or starting: StopAsync publishes the final state.
        }
        catch (DependencyFailedException ex)
        {
            await FailAsync(ex.Message, isRoot: false).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DistributedApplicationException or IOException or InvalidOperationException
                                       or System.ComponentModel.Win32Exception or UnauthorizedAccessException or TimeoutException)
        {
            await FailAsync(ex.Message.Contains(LogTailMarker, StringComparison.Ordinal) ? ex.Message : WithLogTail(ex.Message), isRoot: true)
                .ConfigureAwait(false);
            await runner.StopAsync().ConfigureAwait(false);
        }
    }

    private async Task MonitorAsync(CancellationToken token)
    {
        var completion = runner.Completion;
        var deadline = DateTimeOffset.UtcNow + context.Options.StartupTimeout;
        var everHealthy = false;
        var hasProbes = HealthProber.HasProbes(Resource);
        HealthProbeResult? last = null;
        while (true)
        {
            if (completion is { IsCompleted: true })
            {
                await OnCompletedAsync(await completion.ConfigureAwait(false), everHealthy, last).ConfigureAwait(false);
                return;
            }

            if (completion is null && !hasProbes && everHealthy)
            {
                return;
            }

            last = hasProbes ? await HealthProber.ProbeAsync(Resource, context.ProbeClient, token).ConfigureAwait(false) : HealthProbeResult.Healthy;
            if (last.IsHealthy && !everHealthy)
            {
                await runner.OnFirstHealthyAsync(token).ConfigureAwait(false);
                everHealthy = true;
            }

            await PublishHealthAsync(last, everHealthy).ConfigureAwait(false);
            if (!everHealthy && DateTimeOffset.UtcNow > deadline)
            {
                throw new DistributedApplicationException(Describe(
                    $"did not become healthy within {context.Options.StartupTimeout.TotalSeconds:0} s ({last.Message ?? "no answer"})"));
            }

            var interval = everHealthy ? context.Options.HealthProbeInterval : context.Options.StartupProbeInterval;
            var delay = Task.Delay(interval, token);
            await (completion is null ? delay : Task.WhenAny(delay, completion)).ConfigureAwait(false);
            token.ThrowIfCancellationRequested();
        }
    }

    private Task PublishHealthAsync(HealthProbeResult result, bool everHealthy)
    {
        var state = result.IsHealthy ? KnownResourceStates.Healthy
            : everHealthy ? KnownResourceStates.Unhealthy : KnownResourceStates.Running;
        var health = result.IsHealthy ? ResourceHealthStatus.Healthy : ResourceHealthStatus.Unhealthy;
        return PublishAsync(s => s.State == state && s.HealthStatus == health && s.Message == result.Message
            ? s
            : s with { State = state, HealthStatus = health, Message = result.Message });
    }

    private async Task OnCompletedAsync(int exitCode, bool everHealthy, HealthProbeResult? lastProbe)
    {
        if (_stopRequested)
        {
            return;
        }

        if (exitCode == 0 && (everHealthy || !HealthProber.HasProbes(Resource) || Resource is SetupResource))
        {
            await PublishAsync(s => s with { State = KnownResourceStates.Finished, ExitCode = 0, StoppedAt = DateTimeOffset.UtcNow, HealthStatus = null })
                .ConfigureAwait(false);
            return;
        }

        var reason = $"exited with code {exitCode}" + (everHealthy ? "" : " before it became healthy")
                     + (lastProbe is { IsHealthy: false, Message: { } m } ? $" (last health check: {m})" : "");
        if (everHealthy)
        {
            RootFailure ??= new DistributedApplicationException(Describe(reason));
            await PublishAsync(s => s with { State = KnownResourceStates.Exited, ExitCode = exitCode, StoppedAt = DateTimeOffset.UtcNow, Message = reason, HealthStatus = null })
                .ConfigureAwait(false);
            return;
        }

        await PublishAsync(s => s with { ExitCode = exitCode }).ConfigureAwait(false);
        await FailAsync(Describe(reason), isRoot: true).ConfigureAwait(false);
    }

    private async Task FailAsync(string message, bool isRoot)
    {
        if (isRoot)
        {
            RootFailure ??= new DistributedApplicationException(message);
        }

        // The snapshot carries the reason only; the log tail stays in the exception and the dashboard's log view.
        var cut = new[] { message.IndexOf(LogTailHeader, StringComparison.Ordinal), message.IndexOf(NoOutput, StringComparison.Ordinal), message.IndexOf('\n', StringComparison.Ordinal) }
            .Where(i => i >= 0).DefaultIfEmpty(message.Length).Min();
        var firstLine = message[..cut];
        await PublishAsync(s => s with { State = KnownResourceStates.FailedToStart, Message = firstLine, StoppedAt = DateTimeOffset.UtcNow, HealthStatus = null })
            .ConfigureAwait(false);
    }

    private const string LogTailMarker = "Full log: ";
    private const string LogTailHeader = " Last log lines:";
    private const string NoOutput = " It wrote no output.";

    private string Describe(string reason) => WithLogTail($"The '{Resource.Name}' resource failed to start: it {reason}.");

    private string WithLogTail(string message)
    {
        var lines = context.Logs.GetLastLines(Resource.Name, 20);
        var tail = lines.Count == 0 ? NoOutput : LogTailHeader + "\n" + string.Join('\n', lines.Select(l => "  " + l));
        return $"{message}{tail}\n{LogTailMarker}{context.Logs.GetLogFilePath(Resource.Name)}";
    }

    private Task PublishAsync(Func<ResourceSnapshot, ResourceSnapshot> update) => context.Notifications.PublishUpdateAsync(Resource, update);
}
