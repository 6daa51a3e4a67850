using CreAspire.Execution.Triggers;
using CreAspire.Protocol.Workflows;
using CreAspire.WorkflowNode.Apis;
using CreAspire.WorkflowNode.Store;
using CreAspire.WorkflowNode.Syncer;
using Microsoft.Extensions.Options;

namespace CreAspire.WorkflowNode.Runtime;

/// <summary>
/// "Fire now" through the cron trigger, answered only once this node knows what happened. A workflow registered a moment
/// ago may not be running here yet (the syncer polls, a confidential activation waits for F+1 nodes at the enclave): the
/// hook then runs a registry pass at once and waits, bounded by Syncer:FireActivationTimeout, until the workflow is active,
/// refused or shown not to be registered. It fires only a registered cron subscription and reports "started" only after
/// the engine recorded the execution; the execution itself runs in the background, because a confidential one completes
/// only once F+1 workflow nodes have asked the enclave, so the caller must be able to fire every node before any finishes.
/// </summary>
public sealed partial class CronFireHook(
    CronTrigger cron,
    WorkflowRegistrySyncer syncer,
    WorkflowEngineRegistry engines,
    WorkflowStore store,
    SignallingExecutionStore executions,
    PostgresExecutionStore records,
    IOptions<SyncerOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider clock,
    ILogger<CronFireHook> logger) : IWorkflowFireHook
{
    private readonly SyncerOptions _options = options.Value;

    public async Task<FireOutcome> FireAsync(string workflowId, DateTimeOffset scheduledTime, CancellationToken cancellationToken)
    {
        var triggerId = TriggerRegistration.TriggerIdFor(workflowId, 0);
        if (!cron.TriggerIds.Contains(triggerId))
        {
            var refusal = await WaitForActivationAsync(workflowId, triggerId, cancellationToken);
            if (refusal is not null)
            {
                return refusal;
            }
        }

        return await FireRegisteredAsync(workflowId, triggerId, scheduledTime, cancellationToken);
    }

    /// <summary>Null once the trigger is registered; otherwise why this node will not fire (now).</summary>
    private async Task<FireOutcome?> WaitForActivationAsync(string workflowId, string triggerId, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.FireActivationTimeout);
        RegistrySyncPass? pass = null;
        WorkflowStateRow? state = null;
        try
        {
            while (true)
            {
                if (cron.TriggerIds.Contains(triggerId))
                {
                    return null;
                }

                state = await store.GetStateAsync(workflowId, deadline.Token);
                if (Settled(workflowId, state, pass) is { } settled)
                {
                    return settled;
                }

                if (pass is not null && (state?.State == WorkflowEngineStates.Activating || engines.TryGet(workflowId, out _)))
                {
                    // Another pass is activating it (a confidential activation waits at the enclave): look again shortly.
                    await Task.Delay(_options.PollInterval, clock, deadline.Token);
                }

                pass = await syncer.SyncNowAsync(deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            if (engines.TryGet(workflowId, out _))
            {
                return NotActive("no-cron-subscription", $"workflow {workflowId} runs on this node but has no {cron.Id} subscription; nothing to fire");
            }

            return new FireOutcome(FireStatus.StillActivating, "activating",
                $"workflow {workflowId} is not active on this node after waiting {_options.FireActivationTimeout.TotalSeconds:0} s " +
                $"(state: {state?.State ?? "not seen in the registry yet"}{(state?.LastError is { } error ? $"; last error: {error}" : "")}); try again shortly");
        }
    }

    private FireOutcome? Settled(string workflowId, WorkflowStateRow? state, RegistrySyncPass? pass)
    {
        if (engines.TryGet(workflowId, out _))
        {
            // Running without the subscription yet: on the real topology the engine is listed a moment before its cron
            // registration is visible (seen in ExplorerBrowserTests' deploy-then-fire-at-once on 1 node of 4). Keep looking
            // until the wait's deadline; only then is it "no-cron-subscription" (see WaitForActivationAsync).
            return null;
        }

        switch (state?.State)
        {
            case null when pass is null:
                return null;
            case null when pass.RegistryError is { } registryError:
                return new FireOutcome(FireStatus.StillActivating, "registry-unreadable",
                    $"workflow {workflowId} is not known to this node and the WorkflowRegistry could not be read: {registryError}");
            case null:
                return NotActive("not-registered",
                    $"workflow {workflowId} is not in the WorkflowRegistry for DON family {_options.DonFamily} (read at {pass.FinishedAt:HH:mm:ss.fff}); deploy it first");
            case WorkflowEngineStates.Paused:
                return NotActive("paused", $"workflow {workflowId} ('{state.WorkflowName}') is paused in the WorkflowRegistry; activate it first");
            case WorkflowEngineStates.Failed:
                return NotActive("activation-failed",
                    $"workflow {workflowId} ('{state.WorkflowName}') is not active on this node: its activation failed " +
                    $"{(state.Permanent ? "permanently" : $"(attempt {state.FailureCount}, retrying)")}: {state.LastError}");
            case WorkflowEngineStates.Active when pass is not null:
                return NotActive("no-cron-subscription", $"workflow {workflowId} is recorded active but has no {cron.Id} subscription on this node");
            default:
                return null; // activating, or active before this process re-activated it: wait for a pass
        }
    }

    private async Task<FireOutcome> FireRegisteredAsync(string workflowId, string triggerId, DateTimeOffset scheduledTime, CancellationToken cancellationToken)
    {
        var eventId = CronTrigger.EventFor(triggerId, scheduledTime).EventId;
        var executionId = WorkflowIds.ExecutionId(workflowId, eventId);
        using var waiter = executions.Expect(executionId);
        var firing = Task.Run(() => cron.FireNowAsync(workflowId, scheduledTime, lifetime.ApplicationStopping), CancellationToken.None);
        _ = firing.ContinueWith(
            t => LogFireFailed(t.Exception!.GetBaseException(), workflowId, scheduledTime),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.FireStartTimeout);
        try
        {
            await Task.WhenAny(waiter.Started, firing).WaitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new FireOutcome(FireStatus.Failed, "start-failed",
                $"the engine of workflow {workflowId} did not record execution {executionId} within {_options.FireStartTimeout.TotalSeconds:0} s", eventId, executionId);
        }

        if (waiter.Started.IsCompletedSuccessfully)
        {
            if (waiter.Started.Result)
            {
                return new FireOutcome(FireStatus.Started, "started", "execution started", eventId, executionId);
            }

            var existing = await records.GetAsync(executionId, cancellationToken);
            return new FireOutcome(FireStatus.Duplicate, "duplicate",
                $"execution {executionId} for scheduled time {scheduledTime.ToUniversalTime():O} exists on this node already" +
                $"{(existing is null ? "" : $" ({ExecutionStatuses.ToText(existing.Status)})")}; nothing new ran", eventId, executionId);
        }

        var error = firing.Exception?.GetBaseException();
        return error is InvalidOperationException && !cron.TriggerIds.Contains(triggerId)
            ? NotActive("no-cron-subscription", $"workflow {workflowId} stopped before it could fire: {error.Message}")
            : new FireOutcome(FireStatus.Failed, "start-failed",
                $"the trigger of workflow {workflowId} fired but no execution was recorded: {error?.Message ?? "the engine did not start it"}", eventId, executionId);
    }

    private static FireOutcome NotActive(string reason, string detail) => new(FireStatus.NotActive, reason, detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "Fire-now of workflow {WorkflowId} at {Scheduled:O} failed")]
    private partial void LogFireFailed(Exception exception, string workflowId, DateTimeOffset scheduled);
}
