using CreAspire.Chain.Contracts;
using CreAspire.Chain.Registries;
using CreAspire.WorkflowNode.Store;
using Microsoft.Extensions.Options;

namespace CreAspire.WorkflowNode.Syncer;

/// <summary>
/// Polls getWorkflowListByDON and reconciles the node's engines with it: activates new and re-activated workflows,
/// replaces updated ones (new id for the same owner/name/tag), stops paused ones and removes deleted ones. Failed
/// activations back off per workflow; permanent failures are never retried. All state changes are written to Postgres,
/// including "activating" when an activation starts. <see cref="SyncNowAsync"/> runs a pass at once (for "fire now" right
/// after a registration, which must not depend on where the poll interval happens to be).
/// </summary>
public sealed partial class WorkflowRegistrySyncer(
    IWorkflowRegistryReader registry,
    WorkflowActivator activator,
    WorkflowEngineRegistry engines,
    WorkflowStore store,
    IOptions<SyncerOptions> options,
    TimeProvider clock,
    ILogger<WorkflowRegistrySyncer> logger) : BackgroundService
{
    private static readonly TimeSpan SyncStateRefresh = TimeSpan.FromSeconds(10);

    private readonly SyncerOptions _options = options.Value;

    // Owned by the sync loop only (ExecuteAsync runs one SyncOnceAsync at a time).
    private readonly Dictionary<string, TrackedWorkflow> _tracked = new(StringComparer.Ordinal);
    private (int Count, string? Error, DateTimeOffset At)? _lastRecordedSync;
    private bool _registryVerified;

    // Pass hand-off: a caller of SyncNowAsync takes _nextPass (completed at the end of the first pass that starts after
    // it was taken) and sets _wake (ends the wait between passes). The loop swaps both at the start of every pass.
    private TaskCompletionSource<RegistrySyncPass> _nextPass = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _passes;

    /// <summary>
    /// Starts a reconcile pass now (or right after the one running) and returns when a pass that started after this call
    /// has finished: by then every workflow the registry listed has been activated, refused, paused or removed here.
    /// </summary>
    public Task<RegistrySyncPass> SyncNowAsync(CancellationToken cancellationToken)
    {
        var pass = Volatile.Read(ref _nextPass).Task;
        Volatile.Read(ref _wake).TrySetResult();
        return pass.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await LoadStoredStateAsync(stoppingToken);
            await RunPassesAsync(stoppingToken);
        }
        finally
        {
            Volatile.Read(ref _nextPass).TrySetCanceled(stoppingToken);
        }
    }

    private async Task RunPassesAsync(CancellationToken stoppingToken)
    {
        var consecutiveListFailures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            Interlocked.Exchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            var completing = Interlocked.Exchange(ref _nextPass, new TaskCompletionSource<RegistrySyncPass>(TaskCreationOptions.RunContinuationsAsynchronously));
            var number = ++_passes;
            var delay = _options.PollInterval;
            try
            {
                var listed = await SyncOnceAsync(stoppingToken);
                consecutiveListFailures = listed ? 0 : consecutiveListFailures + 1;
                if (!listed)
                {
                    delay = Backoff(consecutiveListFailures);
                }

                completing.TrySetResult(new RegistrySyncPass(number, clock.GetUtcNow(), listed ? null : _lastRecordedSync?.Error ?? "the registry could not be read"));
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // A database outage must not kill the loop: log, back off, try again.
                consecutiveListFailures++;
                delay = Backoff(consecutiveListFailures);
                LogSyncFailed(ex, _options.DonFamily, delay);
                completing.TrySetResult(new RegistrySyncPass(number, clock.GetUtcNow(), $"the sync pass failed: {ex.Message}"));
            }
            finally
            {
                completing.TrySetCanceled(stoppingToken);
            }

            using var interval = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            await Task.WhenAny(Volatile.Read(ref _wake).Task, Task.Delay(delay, clock, interval.Token));
            await interval.CancelAsync();
            stoppingToken.ThrowIfCancellationRequested();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        foreach (var workflowId in engines.WorkflowIds)
        {
            await StopEngineAsync(workflowId, cancellationToken);
        }
    }

    /// <summary>One reconcile pass; false when the registry could not be read (nothing was changed then).</summary>
    internal async Task<bool> SyncOnceAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<RegisteredWorkflow> listed;
        try
        {
            listed = await ReadAllAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = ex is UnsupportedRegistryException ? ex.Message : $"getWorkflowListByDON({_options.DonFamily}) failed: {ex.Message}";
            LogRegistryReadFailed(ex, _options.DonFamily);
            await RecordSyncAsync(null, error, cancellationToken);
            return false;
        }

        await RecordSyncAsync(listed.Count, null, cancellationToken);
        var desired = new Dictionary<string, RegisteredWorkflow>(StringComparer.Ordinal);
        foreach (var workflow in listed)
        {
            desired.TryAdd(workflow.WorkflowId, workflow);
        }

        // Removals first, so an updated workflow's old engine is stopped before its successor starts.
        foreach (var gone in _tracked.Keys.Union(engines.WorkflowIds).Where(id => !desired.ContainsKey(id)).ToList())
        {
            await RemoveAsync(gone, desired.Values, cancellationToken);
        }

        foreach (var workflow in desired.Values)
        {
            if (workflow.Metadata.Status == WorkflowStatus.Paused)
            {
                await PauseAsync(workflow, cancellationToken);
            }
            else
            {
                await EnsureActiveAsync(workflow, cancellationToken);
            }
        }

        return true;
    }

    private async Task<IReadOnlyList<RegisteredWorkflow>> ReadAllAsync(CancellationToken cancellationToken)
    {
        if (!_registryVerified)
        {
            // Refuse a registry this node does not understand before reading from it (RegistryContracts names the one targeted).
            var found = await registry.TypeAndVersionAsync(cancellationToken);
            RegistryContracts.RequireTypeAndVersion(RegistryContracts.WorkflowRegistryTypeAndVersion, found, registry.Address);
            _registryVerified = true;
        }

        var all = new List<RegisteredWorkflow>();
        for (ulong start = 0; ; start += (ulong)_options.PageSize)
        {
            var page = await registry.GetWorkflowListByDonAsync(_options.DonFamily, start, (ulong)_options.PageSize, cancellationToken);
            all.AddRange(page.Select(m => new RegisteredWorkflow(m)));
            if (page.Count < _options.PageSize)
            {
                return all;
            }
        }
    }

    private async Task RemoveAsync(string workflowId, IEnumerable<RegisteredWorkflow> desired, CancellationToken cancellationToken)
    {
        _tracked.TryGetValue(workflowId, out var tracked);
        var key = tracked?.Key ?? (engines.TryGet(workflowId, out var running) ? running.Key : default);
        var successor = desired.FirstOrDefault(w => w.Key == key);
        await StopEngineAsync(workflowId, cancellationToken);
        await store.DeleteAsync(workflowId, cancellationToken);
        _tracked.Remove(workflowId);
        if (successor is not null)
        {
            LogUpdated(workflowId, successor.WorkflowId, key.Name);
        }
        else
        {
            LogDeleted(workflowId);
        }
    }

    private async Task PauseAsync(RegisteredWorkflow workflow, CancellationToken cancellationToken)
    {
        var tracked = Track(workflow);
        if (tracked.State == WorkflowEngineStates.Paused)
        {
            return;
        }

        await StopEngineAsync(workflow.WorkflowId, cancellationToken);
        await store.PauseSpecAsync(ToTombstone(workflow), cancellationToken);
        tracked.State = WorkflowEngineStates.Paused;
        tracked.FailureCount = 0;
        tracked.Permanent = false;
        tracked.LastError = null;
        await store.SetStateAsync(ToStateRow(workflow, tracked, confidential: null, error: null), cancellationToken);
        LogPaused(workflow.WorkflowId);
    }

    private async Task EnsureActiveAsync(RegisteredWorkflow workflow, CancellationToken cancellationToken)
    {
        var tracked = Track(workflow);
        if (engines.TryGet(workflow.WorkflowId, out _) || tracked.Permanent || clock.GetUtcNow() < tracked.NextAttemptAt)
        {
            return;
        }

        tracked.State = WorkflowEngineStates.Activating;
        await store.SetStateAsync(ToStateRow(workflow, tracked, confidential: null, tracked.LastError), cancellationToken);
        try
        {
            var activated = await activator.ActivateAsync(workflow, cancellationToken);
            engines.Add(new RunningWorkflow(workflow.WorkflowId, workflow.Key, activated.Engine, activated.Confidential));
            tracked.State = WorkflowEngineStates.Active;
            tracked.FailureCount = 0;
            tracked.LastError = null;
            await store.SetStateAsync(ToStateRow(workflow, tracked, activated.Confidential, error: null), cancellationToken);
            LogActivated(workflow.WorkflowId, workflow.Metadata.WorkflowName, activated.Confidential);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            tracked.FailureCount++;
            tracked.State = WorkflowEngineStates.Failed;
            var retryable = ex is not WorkflowActivationException { Permanent: true };
            tracked.Permanent = !retryable || tracked.FailureCount >= _options.MaxRetries;
            var delay = Backoff(tracked.FailureCount);
            tracked.NextAttemptAt = clock.GetUtcNow() + delay;
            var error = retryable && tracked.Permanent
                ? $"{ex.Message} (gave up after {tracked.FailureCount} attempts, Syncer:MaxRetries)"
                : ex.Message;
            tracked.LastError = error;
            await store.SetStateAsync(ToStateRow(workflow, tracked, confidential: null, error), cancellationToken);
            if (tracked.Permanent)
            {
                LogRefused(ex, workflow.WorkflowId, workflow.Metadata.WorkflowName, error);
            }
            else
            {
                LogActivationFailed(ex, workflow.WorkflowId, workflow.Metadata.WorkflowName, tracked.FailureCount, delay, error);
            }
        }
    }

    private async Task StopEngineAsync(string workflowId, CancellationToken cancellationToken)
    {
        if (!engines.TryRemove(workflowId, out var running))
        {
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.EngineStopTimeout);
        try
        {
            await running.Engine.StopAsync(timeout.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogStopFailed(ex, workflowId);
        }
        finally
        {
            await running.Engine.DisposeAsync();
        }
    }

    private async Task LoadStoredStateAsync(CancellationToken cancellationToken)
    {
        // After a restart: permanent refusals stay refused, and rows of workflows deleted while the node was down are
        // reconciled (removed) on the first pass.
        foreach (var state in await store.ListStatesAsync(cancellationToken))
        {
            _tracked[state.WorkflowId] = new TrackedWorkflow((state.WorkflowOwner, state.WorkflowName, state.WorkflowTag))
            {
                State = state.State == WorkflowEngineStates.Paused ? WorkflowEngineStates.Paused : WorkflowEngineStates.Activating,
                FailureCount = state.Permanent ? state.FailureCount : 0,
                Permanent = state.Permanent,
            };
        }

        foreach (var workflowId in await store.ListKnownWorkflowIdsAsync(cancellationToken))
        {
            _tracked.TryAdd(workflowId, new TrackedWorkflow(default));
        }
    }

    private TrackedWorkflow Track(RegisteredWorkflow workflow)
    {
        if (!_tracked.TryGetValue(workflow.WorkflowId, out var tracked) || tracked.Key != workflow.Key)
        {
            tracked = new TrackedWorkflow(workflow.Key) { State = tracked?.State ?? WorkflowEngineStates.Activating, Permanent = tracked?.Permanent ?? false, FailureCount = tracked?.FailureCount ?? 0 };
            _tracked[workflow.WorkflowId] = tracked;
        }

        return tracked;
    }

    private TimeSpan Backoff(int failures)
    {
        var exponent = Math.Min(failures - 1, 30);
        var delay = _options.RetryInitialDelay * Math.Pow(2, exponent);
        return delay < _options.RetryMaxDelay ? delay : _options.RetryMaxDelay;
    }

    private async Task RecordSyncAsync(int? count, string? error, CancellationToken cancellationToken)
    {
        // Written when something changed (or every few seconds), not on every 250 ms poll.
        var now = clock.GetUtcNow();
        if (_lastRecordedSync is { } last && last.Error == error && last.Count == (count ?? last.Count) && now - last.At < SyncStateRefresh)
        {
            return;
        }

        await store.RecordRegistrySyncAsync(_options.DonFamily, count, error, cancellationToken);
        _lastRecordedSync = (count ?? _lastRecordedSync?.Count ?? 0, error, now);
    }

    private WorkflowStateRow ToStateRow(RegisteredWorkflow workflow, TrackedWorkflow tracked, bool? confidential, string? error) => new()
    {
        WorkflowId = workflow.WorkflowId,
        WorkflowOwner = workflow.OwnerHex,
        WorkflowName = workflow.Metadata.WorkflowName,
        WorkflowTag = workflow.Metadata.Tag,
        DonFamily = _options.DonFamily,
        State = tracked.State,
        Confidential = confidential,
        LastError = error,
        FailureCount = tracked.FailureCount,
        Permanent = tracked.Permanent,
    };

    private static WorkflowSpec ToTombstone(RegisteredWorkflow workflow) => new(
        workflow.WorkflowId, workflow.OwnerHex, workflow.Metadata.WorkflowName, workflow.Metadata.Tag, "", "",
        WorkflowSpec.PausedStatus, workflow.Metadata.BinaryUrl, workflow.Metadata.ConfigUrl, workflow.Metadata.Attributes);

    private sealed class TrackedWorkflow((string Owner, string Name, string Tag) key)
    {
        public (string Owner, string Name, string Tag) Key { get; } = key;
        public string State { get; set; } = WorkflowEngineStates.Activating;
        public int FailureCount { get; set; }
        public bool Permanent { get; set; }
        public string? LastError { get; set; }
        public DateTimeOffset NextAttemptAt { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow {WorkflowId} ({WorkflowName}) activated (confidential: {Confidential})")]
    private partial void LogActivated(string workflowId, string workflowName, bool confidential);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow {WorkflowId} paused: engine stopped")]
    private partial void LogPaused(string workflowId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow {WorkflowId} deleted: engine stopped, rows removed")]
    private partial void LogDeleted(string workflowId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow {WorkflowId} ({WorkflowName}) updated to {NewWorkflowId}: old engine stopped")]
    private partial void LogUpdated(string workflowId, string newWorkflowId, string workflowName);

    [LoggerMessage(Level = LogLevel.Error, Message = "Workflow {WorkflowId} ({WorkflowName}) refused permanently: {Reason}")]
    private partial void LogRefused(Exception exception, string workflowId, string workflowName, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Workflow {WorkflowId} ({WorkflowName}) activation failed (attempt {Attempt}), retrying in {Delay}: {Reason}")]
    private partial void LogActivationFailed(Exception exception, string workflowId, string workflowName, int attempt, TimeSpan delay, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping the engine of workflow {WorkflowId} failed")]
    private partial void LogStopFailed(Exception exception, string workflowId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the workflow registry for DON family {DonFamily} failed")]
    private partial void LogRegistryReadFailed(Exception exception, string donFamily);

    [LoggerMessage(Level = LogLevel.Error, Message = "Workflow sync for DON family {DonFamily} failed; retrying in {Delay}")]
    private partial void LogSyncFailed(Exception exception, string donFamily, TimeSpan delay);
}
