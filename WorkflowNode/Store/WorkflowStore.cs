using Dapper;
using Npgsql;

namespace CreAspire.WorkflowNode.Store;

/// <summary>workflow_specs_v2, workflow_states and registry_sync_state in the node's own database.</summary>
public sealed class WorkflowStore(NpgsqlDataSource dataSource, TimeProvider clock)
{
    private const string StateColumns = """
        workflow_id AS WorkflowId, workflow_owner AS WorkflowOwner, workflow_name AS WorkflowName, workflow_tag AS WorkflowTag,
        don_family AS DonFamily, state AS State, confidential AS Confidential, last_error AS LastError,
        failure_count AS FailureCount, permanent AS Permanent, updated_at AS UpdatedAt, state_since AS StateSince
        """;

    private const string SpecColumns = """
        id AS Id, workflow_id AS WorkflowId, workflow_owner AS WorkflowOwner, workflow_name AS WorkflowName,
        workflow_tag AS WorkflowTag, workflow AS Workflow, config AS Config, status AS Status, binary_url AS BinaryUrl,
        config_url AS ConfigUrl, spec_type AS SpecType, attributes AS Attributes, created_at AS CreatedAt, updated_at AS UpdatedAt
        """;

    /// <summary>Inserts or updates the spec by workflow_id (restart-safe: one row per workflow id).</summary>
    public async Task UpsertSpecAsync(WorkflowSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO workflow_specs_v2 (workflow, config, workflow_id, workflow_owner, workflow_name, workflow_tag, status,
                                           binary_url, config_url, created_at, updated_at, spec_type, attributes)
            VALUES (@Workflow, @Config, @WorkflowId, @WorkflowOwner, @WorkflowName, @WorkflowTag, @Status,
                    @BinaryUrl, @ConfigUrl, @Now, @Now, @SpecType, @Attributes)
            ON CONFLICT (workflow_id) DO UPDATE SET
                workflow = EXCLUDED.workflow, config = EXCLUDED.config, workflow_owner = EXCLUDED.workflow_owner,
                workflow_name = EXCLUDED.workflow_name, workflow_tag = EXCLUDED.workflow_tag, status = EXCLUDED.status,
                binary_url = EXCLUDED.binary_url, config_url = EXCLUDED.config_url, updated_at = EXCLUDED.updated_at,
                spec_type = EXCLUDED.spec_type, attributes = EXCLUDED.attributes
            """,
            new
            {
                spec.Workflow, spec.Config, spec.WorkflowId, spec.WorkflowOwner, spec.WorkflowName, spec.WorkflowTag, spec.Status,
                spec.BinaryUrl, spec.ConfigUrl, Now = clock.GetUtcNow(), SpecType = WorkflowSpec.WasmSpecType, spec.Attributes,
            },
            cancellationToken: cancellationToken));
    }

    /// <summary>Marks a stored spec paused; writes a pause tombstone (empty workflow) when none is stored yet.</summary>
    public async Task PauseSpecAsync(WorkflowSpec tombstone, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tombstone);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO workflow_specs_v2 (workflow, config, workflow_id, workflow_owner, workflow_name, workflow_tag, status,
                                           binary_url, config_url, created_at, updated_at, spec_type, attributes)
            VALUES ('', '', @WorkflowId, @WorkflowOwner, @WorkflowName, @WorkflowTag, @Status,
                    @BinaryUrl, @ConfigUrl, @Now, @Now, @SpecType, @Attributes)
            ON CONFLICT (workflow_id) DO UPDATE SET status = EXCLUDED.status, updated_at = EXCLUDED.updated_at
            """,
            new
            {
                tombstone.WorkflowId, tombstone.WorkflowOwner, tombstone.WorkflowName, tombstone.WorkflowTag,
                Status = WorkflowSpec.PausedStatus, tombstone.BinaryUrl, tombstone.ConfigUrl, Now = clock.GetUtcNow(),
                SpecType = WorkflowSpec.WasmSpecType, tombstone.Attributes,
            },
            cancellationToken: cancellationToken));
    }

    public async Task<StoredWorkflowSpec?> GetSpecAsync(string workflowId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<StoredWorkflowSpec>(new CommandDefinition(
            $"SELECT {SpecColumns} FROM workflow_specs_v2 WHERE workflow_id = @workflowId", new { workflowId }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<StoredWorkflowSpec>> ListSpecsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<StoredWorkflowSpec>(new CommandDefinition(
            $"SELECT {SpecColumns} FROM workflow_specs_v2 ORDER BY id", cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Records the workflow's engine state and last error (null clears it); state_since moves only when the state changes.</summary>
    public async Task SetStateAsync(WorkflowStateRow state, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO workflow_states (workflow_id, workflow_owner, workflow_name, workflow_tag, don_family, state, confidential,
                                         last_error, failure_count, permanent, updated_at, state_since)
            VALUES (@WorkflowId, @WorkflowOwner, @WorkflowName, @WorkflowTag, @DonFamily, @State, @Confidential,
                    @LastError, @FailureCount, @Permanent, @Now, @Now)
            ON CONFLICT (workflow_id) DO UPDATE SET
                workflow_owner = EXCLUDED.workflow_owner, workflow_name = EXCLUDED.workflow_name, workflow_tag = EXCLUDED.workflow_tag,
                don_family = EXCLUDED.don_family, state = EXCLUDED.state, confidential = EXCLUDED.confidential,
                last_error = EXCLUDED.last_error, failure_count = EXCLUDED.failure_count, permanent = EXCLUDED.permanent,
                updated_at = EXCLUDED.updated_at,
                state_since = CASE WHEN workflow_states.state = EXCLUDED.state THEN workflow_states.state_since ELSE EXCLUDED.updated_at END
            """,
            new
            {
                state.WorkflowId, state.WorkflowOwner, state.WorkflowName, state.WorkflowTag, state.DonFamily, state.State,
                state.Confidential, state.LastError, state.FailureCount, state.Permanent, Now = clock.GetUtcNow(),
            },
            cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<WorkflowStateRow>> ListStatesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<WorkflowStateRow>(new CommandDefinition(
            $"SELECT {StateColumns} FROM workflow_states ORDER BY workflow_id", cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>The workflow's state row, or null when the syncer has recorded nothing for it.</summary>
    public async Task<WorkflowStateRow?> GetStateAsync(string workflowId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<WorkflowStateRow>(new CommandDefinition(
            $"SELECT {StateColumns} FROM workflow_states WHERE workflow_id = @workflowId", new { workflowId }, cancellationToken: cancellationToken));
    }

    /// <summary>Workflow ids the node has stored anything for (specs or states): what a restarted syncer must reconcile.</summary>
    public async Task<IReadOnlyList<string>> ListKnownWorkflowIdsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<string>(new CommandDefinition(
            "SELECT workflow_id FROM workflow_specs_v2 UNION SELECT workflow_id FROM workflow_states", cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Removes a workflow's spec and state (the workflow was deleted on-chain or replaced by an update).</summary>
    public async Task DeleteAsync(string workflowId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM workflow_specs_v2 WHERE workflow_id = @workflowId; DELETE FROM workflow_states WHERE workflow_id = @workflowId",
            new { workflowId }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<WorkflowView>> ListWorkflowsAsync(string? workflowId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<WorkflowView>(new CommandDefinition("""
            SELECT s.workflow_id AS WorkflowId, s.workflow_owner AS WorkflowOwner, s.workflow_name AS WorkflowName,
                   s.workflow_tag AS WorkflowTag, s.don_family AS DonFamily, s.state AS State, s.confidential AS Confidential,
                   s.last_error AS LastError, s.failure_count AS FailureCount, s.permanent AS Permanent,
                   w.status AS SpecStatus, w.binary_url AS BinaryUrl, w.config_url AS ConfigUrl, w.attributes AS Attributes,
                   GREATEST(s.updated_at, w.updated_at) AS UpdatedAt, s.state_since AS StateSince
            FROM workflow_states s LEFT JOIN workflow_specs_v2 w ON w.workflow_id = s.workflow_id
            WHERE @workflowId::text IS NULL OR s.workflow_id = @workflowId::text
            ORDER BY s.workflow_name, s.workflow_id
            """, new { workflowId }, cancellationToken: cancellationToken));
        return rows.AsList();
    }

    /// <summary>Records a registry read: success (count, time) or the error that stopped it.</summary>
    public async Task RecordRegistrySyncAsync(string donFamily, int? workflowCount, string? error, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        await connection.ExecuteAsync(new CommandDefinition(error is null
            ? """
              INSERT INTO registry_sync_state (don_family, last_synced_at, workflow_count, updated_at) VALUES (@donFamily, @now, @workflowCount, @now)
              ON CONFLICT (don_family) DO UPDATE SET last_synced_at = @now, workflow_count = @workflowCount, updated_at = @now
              """
            : """
              INSERT INTO registry_sync_state (don_family, last_error, last_error_at, updated_at) VALUES (@donFamily, @error, @now, @now)
              ON CONFLICT (don_family) DO UPDATE SET last_error = @error, last_error_at = @now, updated_at = @now
              """,
            new { donFamily, workflowCount = workflowCount ?? 0, error, now }, cancellationToken: cancellationToken));
    }
}
