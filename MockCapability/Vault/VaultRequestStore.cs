using CreAspire.Protocol.Capabilities;
using Dapper;
using Npgsql;

namespace CreAspire.MockCapability.Vault;

/// <summary>One secret vault@1.0.0 was asked for: who asked, for which key, and what came of it ("sealed" or the error). Never the value.</summary>
public sealed record VaultRequestRecord(
    long Id,
    string Owner,
    string Namespace,
    string Key,
    string Outcome,
    int EncryptionKeys,
    string WorkflowId,
    string WorkflowExecutionId,
    long CallerDonId,
    string[] CallerNodes,
    DateTime ReceivedAt);

/// <summary>One answered secret, as <see cref="VaultRequestStore.RecordAsync"/> takes it.</summary>
public sealed record AnsweredSecret(string Owner, string Namespace, string Key, string Outcome, int EncryptionKeys);

/// <summary>Durable record of the secrets vault@1.0.0 answered, in the node's own database (table vault_requests).</summary>
public sealed class VaultRequestStore(NpgsqlDataSource dataSource)
{
    /// <summary>The outcome text of a secret that was found and sealed.</summary>
    public const string Sealed = "sealed";

    public async Task RecordAsync(CapabilityCall call, IReadOnlyList<AnsweredSecret> secrets, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(secrets);
        if (secrets.Count == 0)
        {
            return;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO vault_requests (owner, namespace, key, outcome, encryption_keys, workflow_id, workflow_execution_id, caller_don_id, caller_nodes)
            VALUES (@Owner, @Namespace, @Key, @Outcome, @EncryptionKeys, @WorkflowId, @ExecutionId, @CallerDonId, @CallerNodes)
            """,
            secrets.Select(s => new
            {
                s.Owner,
                s.Namespace,
                s.Key,
                s.Outcome,
                s.EncryptionKeys,
                call.Metadata.WorkflowId,
                ExecutionId = call.Metadata.WorkflowExecutionId,
                CallerDonId = (long)(call.Caller?.DonId ?? 0),
                CallerNodes = call.Caller?.NodeAddresses.ToArray() ?? [],
            }),
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<VaultRequestRecord>> ListAsync(string? workflowId, string? executionId, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<VaultRequestRow>(new CommandDefinition(
            """
            SELECT id AS Id, owner AS Owner, namespace AS Namespace, key AS Key, outcome AS Outcome, encryption_keys AS EncryptionKeys,
                   workflow_id AS WorkflowId, workflow_execution_id AS WorkflowExecutionId, caller_don_id AS CallerDonId,
                   caller_nodes AS CallerNodes, received_at AS ReceivedAt
            FROM vault_requests
            WHERE (@workflowId::text IS NULL OR workflow_id = @workflowId::text)
              AND (@executionId::text IS NULL OR workflow_execution_id = @executionId::text)
            ORDER BY id DESC
            LIMIT @limit
            """,
            new { workflowId, executionId, limit },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new VaultRequestRecord(
            r.Id, r.Owner, r.Namespace, r.Key, r.Outcome, r.EncryptionKeys, r.WorkflowId, r.WorkflowExecutionId, r.CallerDonId, r.CallerNodes, r.ReceivedAt))];
    }

    /// <summary>Dapper maps text[] into a settable string[] property, not into a record's constructor.</summary>
    private sealed class VaultRequestRow
    {
        public long Id { get; set; }

        public string Owner { get; set; } = "";

        public string Namespace { get; set; } = "";

        public string Key { get; set; } = "";

        public string Outcome { get; set; } = "";

        public int EncryptionKeys { get; set; }

        public string WorkflowId { get; set; } = "";

        public string WorkflowExecutionId { get; set; } = "";

        public long CallerDonId { get; set; }

        public string[] CallerNodes { get; set; } = [];

        public DateTime ReceivedAt { get; set; }
    }
}
