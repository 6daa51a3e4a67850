using CreAspire.MockCapability.Mock;

namespace CreAspire.MockCapability.Apis;

/// <summary>
/// GET /requests?workflow_id=&amp;execution_id=&amp;capability_id=&amp;limit=: what mock@1.0.0 executed on this node (for tests and the
/// explorer), oldest first; with limit, the newest that many.
/// </summary>
public static class RequestsApi
{
    public static IEndpointRouteBuilder MapRequestsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/requests", async (MockRequestStore store, string? workflow_id, string? execution_id, string? capability_id, int? limit, CancellationToken cancellationToken) =>
        {
            var rows = await store.ListAsync(new MockRequestFilter(workflow_id, execution_id, capability_id), cancellationToken).ConfigureAwait(false);
            var selected = limit is { } newest ? rows.Skip(Math.Max(0, rows.Count - Math.Clamp(newest, 1, 1000))) : rows;
            return Results.Ok(selected.Select(r => new
            {
                r.Id,
                r.CapabilityId,
                r.Method,
                r.WorkflowId,
                r.WorkflowOwner,
                ExecutionId = r.WorkflowExecutionId,
                r.ReferenceId,
                r.CallerDonId,
                r.CallerNodes,
                PayloadHex = Convert.ToHexStringLower(r.Payload),
                ReceivedAt = DateTime.SpecifyKind(r.ReceivedAt, DateTimeKind.Utc),
            }));
        });
        return endpoints;
    }
}
