namespace CreAspire.WorkflowNode.Apis;

/// <summary>What "fire now" did on this node.</summary>
public enum FireStatus
{
    /// <summary>A new execution was recorded for the scheduled time and runs in the background.</summary>
    Started,

    /// <summary>An execution for that scheduled time exists already; nothing new ran.</summary>
    Duplicate,

    /// <summary>The workflow has no running engine with a cron subscription here (see <see cref="FireOutcome.Reason"/>).</summary>
    NotActive,

    /// <summary>The node was still picking up or activating the workflow when the wait ran out.</summary>
    StillActivating,

    /// <summary>The trigger fired but the execution could not be started.</summary>
    Failed,
}

/// <summary>
/// The outcome of one fire-now request. <see cref="Reason"/> is a stable word for scripts: "started", "duplicate",
/// "not-registered", "paused", "activation-failed", "no-cron-subscription", "activating", "registry-unreadable", "start-failed".
/// </summary>
public sealed record FireOutcome(FireStatus Status, string Reason, string Detail, string? TriggerEventId = null, string? ExecutionId = null);

/// <summary>
/// Fires a workflow's cron trigger now (the "fire now" test hook). Implemented by <see cref="Runtime.CronFireHook"/>; the
/// endpoint exists only when an implementation is registered.
/// </summary>
public interface IWorkflowFireHook
{
    /// <summary>
    /// Fires the workflow's trigger once as if scheduled at <paramref name="scheduledTime"/> (the same time on every node gives
    /// the same execution id) and returns once the node recorded the execution as started, or says why it did not.
    /// </summary>
    Task<FireOutcome> FireAsync(string workflowId, DateTimeOffset scheduledTime, CancellationToken cancellationToken);
}

/// <summary>Test hooks, kept apart from the read-only API.</summary>
public static class TestHookApis
{
    /// <summary>Maps POST /workflows/{id}/fire when an <see cref="IWorkflowFireHook"/> is registered.</summary>
    public static IEndpointRouteBuilder MapTestHooks(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.ServiceProvider.GetService<IWorkflowFireHook>() is null)
        {
            return app;
        }

        // POST /workflows/{id}/fire?scheduledTime=2026-11-23T22:00:00Z — pass the same time to every node of the DON.
        // Without it the current time truncated to the second is used. 202 = started; 409 = already fired for that time;
        // 404 = no active cron subscription here (reason says why); 503 = still activating; 500 = could not start.
        app.MapPost("/workflows/{id}/fire", async (string id, DateTimeOffset? scheduledTime, IWorkflowFireHook hook, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var workflowId = (id.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? id[2..] : id).ToLowerInvariant();
            var now = time.GetUtcNow();
            var scheduled = scheduledTime ?? new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
            var outcome = await hook.FireAsync(workflowId, scheduled, cancellationToken);
            var extensions = new Dictionary<string, object?>
            {
                ["reason"] = outcome.Reason,
                ["workflowId"] = workflowId,
                ["executionId"] = outcome.ExecutionId,
                ["triggerEventId"] = outcome.TriggerEventId,
                ["scheduledTime"] = scheduled,
            };
            return outcome.Status switch
            {
                FireStatus.Started => Results.Accepted(value: new
                {
                    workflowId, outcome.TriggerEventId, outcome.ExecutionId, scheduledTime = scheduled, status = "started", outcome.Detail,
                }),
                FireStatus.Duplicate => Results.Problem(outcome.Detail, statusCode: StatusCodes.Status409Conflict, extensions: extensions),
                FireStatus.NotActive => Results.Problem(outcome.Detail, statusCode: StatusCodes.Status404NotFound, extensions: extensions),
                FireStatus.StillActivating => Results.Problem(outcome.Detail, statusCode: StatusCodes.Status503ServiceUnavailable, extensions: extensions),
                _ => Results.Problem(outcome.Detail, statusCode: StatusCodes.Status500InternalServerError, extensions: extensions),
            };
        });
        return app;
    }
}
