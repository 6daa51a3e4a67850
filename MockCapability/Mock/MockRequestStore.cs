using CreAspire.Protocol.Capabilities;
using Dapper;
using Npgsql;

namespace CreAspire.MockCapability.Mock;

/// <summary>A request mock@1.0.0 executed, as stored.</summary>
public sealed record MockRequestRecord(
    long Id,
    string CapabilityId,
    string Method,
    string WorkflowId,
    string WorkflowOwner,
    string WorkflowExecutionId,
    string ReferenceId,
    long CallerDonId,
    string[] CallerNodes,
    byte[] Payload,
    DateTime ReceivedAt);

/// <summary>Filters for <see cref="MockRequestStore.ListAsync"/>; null means any.</summary>
public sealed record MockRequestFilter(string? WorkflowId = null, string? ExecutionId = null, string? CapabilityId = null);

/// <summary>Durable record of executed requests in the node's own database (table mock_requests).</summary>
public sealed class MockRequestStore(NpgsqlDataSource dataSource)
{
    public async Task RecordAsync(CapabilityCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO mock_requests (capability_id, method, workflow_id, workflow_owner, workflow_execution_id, reference_id, caller_don_id, caller_nodes, payload)
            VALUES (@CapabilityId, @Method, @WorkflowId, @WorkflowOwner, @ExecutionId, @ReferenceId, @CallerDonId, @CallerNodes, @Payload)
            """,
            new
            {
                call.CapabilityId,
                call.Method,
                call.Metadata.WorkflowId,
                call.Metadata.WorkflowOwner,
                ExecutionId = call.Metadata.WorkflowExecutionId,
                call.Metadata.ReferenceId,
                CallerDonId = (long)(call.Caller?.DonId ?? 0),
                CallerNodes = call.Caller?.NodeAddresses.ToArray() ?? [],
                Payload = call.Payload?.Value.ToByteArray() ?? [],
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<MockRequestRecord>> ListAsync(MockRequestFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<MockRequestRow>(new CommandDefinition(
            """
            SELECT id, capability_id AS CapabilityId, method, workflow_id AS WorkflowId, workflow_owner AS WorkflowOwner,
                   workflow_execution_id AS WorkflowExecutionId, reference_id AS ReferenceId, caller_don_id AS CallerDonId,
                   caller_nodes AS CallerNodes, payload, received_at AS ReceivedAt
            FROM mock_requests
            WHERE (@WorkflowId IS NULL OR workflow_id = @WorkflowId)
              AND (@ExecutionId IS NULL OR workflow_execution_id = @ExecutionId)
              AND (@CapabilityId IS NULL OR capability_id = @CapabilityId)
            ORDER BY id
            """,
            filter,
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new MockRequestRecord(r.Id, r.CapabilityId, r.Method, r.WorkflowId, r.WorkflowOwner, r.WorkflowExecutionId, r.ReferenceId, r.CallerDonId, r.CallerNodes, r.Payload, r.ReceivedAt))];
    }

    private sealed class MockRequestRow
    {
        public long Id { get; set; }

        public string CapabilityId { get; set; } = "";

        public string Method { get; set; } = "";

        public string WorkflowId { get; set; } = "";

        public string WorkflowOwner { get; set; } = "";

        public string WorkflowExecutionId { get; set; } = "";

        public string ReferenceId { get; set; } = "";

        public long CallerDonId { get; set; }

        public string[] CallerNodes { get; set; } = [];

        public byte[] Payload { get; set; } = [];

        public DateTime ReceivedAt { get; set; }
    }
}
