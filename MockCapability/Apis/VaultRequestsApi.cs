using CreAspire.MockCapability.Vault;

namespace CreAspire.MockCapability.Apis;

/// <summary>
/// GET /vault/requests?workflow_id=&amp;execution_id=&amp;limit=: the secrets vault@1.0.0 was asked for on this node, newest first,
/// with key, namespace, owner, outcome ("sealed" or the error) and caller; never a secret's value.
/// </summary>
public static class VaultRequestsApi
{
    public static IEndpointRouteBuilder MapVaultRequestsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/vault/requests", async (VaultRequestStore store, string? workflow_id, string? execution_id, int? limit, CancellationToken cancellationToken) =>
        {
            var rows = await store.ListAsync(NullIfEmpty(workflow_id), NullIfEmpty(execution_id), Math.Clamp(limit ?? 200, 1, 1000), cancellationToken).ConfigureAwait(false);
            return Results.Ok(rows.Select(r => new
            {
                r.Id,
                r.Owner,
                r.Namespace,
                r.Key,
                r.Outcome,
                r.EncryptionKeys,
                r.WorkflowId,
                ExecutionId = r.WorkflowExecutionId,
                r.CallerDonId,
                r.CallerNodes,
                ReceivedAt = DateTime.SpecifyKind(r.ReceivedAt, DateTimeKind.Utc),
            }));
        });
        return endpoints;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
