namespace CreAspire.WorkflowNode.Apis;

/// <summary>
/// Fires a workflow's cron trigger now (the "fire now" test hook). Implemented by the cron trigger at integration;
/// the endpoint exists only when an implementation is registered.
/// </summary>
public interface IWorkflowFireHook
{
    /// <summary>Fires the workflow's trigger once; returns the trigger event id, or null when the workflow has no trigger subscription here.</summary>
    Task<string?> FireAsync(string workflowId, CancellationToken cancellationToken);
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

        app.MapPost("/workflows/{id}/fire", async (string id, IWorkflowFireHook hook, CancellationToken cancellationToken) =>
        {
            var workflowId = (id.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? id[2..] : id).ToLowerInvariant();
            var triggerEventId = await hook.FireAsync(workflowId, cancellationToken);
            return triggerEventId is null
                ? TypedResults.Problem($"workflow {workflowId} has no trigger subscription on this node", statusCode: StatusCodes.Status404NotFound)
                : Results.Accepted(value: new { workflowId, triggerEventId });
        });
        return app;
    }
}
