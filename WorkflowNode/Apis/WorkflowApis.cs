using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Workflows;
using CreAspire.WorkflowNode.Store;
using CreAspire.WorkflowNode.Syncer;

namespace CreAspire.WorkflowNode.Apis;

/// <summary>Read-only node API for the dashboard and tests.</summary>
public static class WorkflowApis
{
    public static IEndpointRouteBuilder MapWorkflowApis(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/workflows", ListWorkflowsAsync);
        app.MapGet("/workflows/{id}", GetWorkflowAsync);
        app.MapGet("/executions", ListExecutionsAsync);
        return app;
    }

    private static async Task<IResult> ListWorkflowsAsync(WorkflowStore store, WorkflowEngineRegistry engines, CancellationToken cancellationToken)
    {
        var rows = await store.ListWorkflowsAsync(null, cancellationToken);
        return TypedResults.Ok(rows.Select(r => ToResponse(r, engines)).ToList());
    }

    private static async Task<IResult> GetWorkflowAsync(string id, WorkflowStore store, WorkflowEngineRegistry engines, CancellationToken cancellationToken)
    {
        var workflowId = NormalizeId(id);
        var rows = await store.ListWorkflowsAsync(workflowId, cancellationToken);
        return rows.Count == 0
            ? TypedResults.Problem($"workflow {workflowId} is not known to this node", statusCode: StatusCodes.Status404NotFound)
            : TypedResults.Ok(ToResponse(rows[0], engines));
    }

    private static async Task<IResult> ListExecutionsAsync(
        PostgresExecutionStore executions, string? workflow_id, string? status, int? limit, CancellationToken cancellationToken)
    {
        ExecutionStatus? parsed = null;
        if (!string.IsNullOrEmpty(status))
        {
            if (!ExecutionStatuses.TryParse(status, out var value))
            {
                return TypedResults.Problem($"status '{status}' is not one of started, succeeded, failed", statusCode: StatusCodes.Status400BadRequest);
            }

            parsed = value;
        }

        var rows = await executions.ListAsync(
            string.IsNullOrEmpty(workflow_id) ? null : NormalizeId(workflow_id), parsed, Math.Clamp(limit ?? 100, 1, 1000), cancellationToken);
        var traces = await executions.TraceIdsAsync(rows.Select(r => r.ExecutionId).ToArray(), cancellationToken);
        return TypedResults.Ok(rows.Select(r => new NodeExecution(
            r.ExecutionId, r.WorkflowId, r.TriggerId, r.TriggerEventId, ExecutionStatuses.ToText(r.Status), r.StartedAt, r.FinishedAt,
            r.Result is null ? null : Convert.ToBase64String(r.Result), r.Error, traces.GetValueOrDefault(r.ExecutionId))).ToList());
    }

    private static string NormalizeId(string id) =>
        (id.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? id[2..] : id).ToLowerInvariant();

    private static NodeWorkflowView ToResponse(WorkflowView row, WorkflowEngineRegistry engines)
    {
        var running = engines.TryGet(row.WorkflowId, out var engine);
        return new(
            row.WorkflowId, row.WorkflowName, row.WorkflowOwner, row.WorkflowTag, row.DonFamily, row.State, row.Confidential,
            row.LastError, row.FailureCount, row.Permanent, running, row.SpecStatus, row.BinaryUrl,
            row.ConfigUrl, row.Attributes is null ? null : System.Text.Encoding.UTF8.GetString(row.Attributes),
            Utc(row.UpdatedAt), row.StateSince is { } since ? Utc(since) : null,
            running ? (engine!.Confidential ? "confidential" : "wasm") : null);
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
