namespace CreAspire.WorkflowNode.Apis;

/// <summary>
/// Fires a workflow's cron trigger now (the "fire now" test hook). Implemented by the cron trigger at integration;
/// the endpoint exists only when an implementation is registered.
/// </summary>
public interface IWorkflowFireHook
{
    /// <summary>
    /// Fires the workflow's trigger once as if scheduled at <paramref name="scheduledTime"/> (the same time on every node gives
    /// the same execution id); returns the trigger event id, or null when the workflow has no trigger subscription here.
    /// </summary>
    Task<string?> FireAsync(string workflowId, DateTimeOffset scheduledTime, CancellationToken cancellationToken);
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
        // Without it the current time truncated to the second is used.
        app.MapPost("/workflows/{id}/fire", async (string id, DateTimeOffset? scheduledTime, IWorkflowFireHook hook, TimeProvider time, CancellationToken cancellationToken) =>
        {
            var workflowId = (id.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? id[2..] : id).ToLowerInvariant();
            var now = time.GetUtcNow();
            var scheduled = scheduledTime ?? new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
            var triggerEventId = await hook.FireAsync(workflowId, scheduled, cancellationToken);
            return triggerEventId is null
                ? TypedResults.Problem($"workflow {workflowId} has no trigger subscription on this node", statusCode: StatusCodes.Status404NotFound)
                : Results.Accepted(value: new { workflowId, triggerEventId, scheduledTime = scheduled });
        });
        return app;
    }
}
