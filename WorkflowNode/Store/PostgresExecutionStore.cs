using CreAspire.Execution.Contracts;
using Dapper;
using Npgsql;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace CreAspire.WorkflowNode.Store;

/// <summary>
/// The engine's execution records in workflow_executions; a repeated execution id is recorded once. Starting and finishing
/// an execution ride out a Postgres restart: a transient failure (connection refused or closed, the server shutting down
/// or starting up) is retried for up to <see cref="OutageBudget"/>, so an execution that finishes while the server is
/// restarting is still recorded and never stays "started".
/// </summary>
public sealed class PostgresExecutionStore(NpgsqlDataSource dataSource) : IExecutionStore
{
    /// <summary>How long a start or finish keeps retrying through a Postgres outage before the error is raised.</summary>
    public static readonly TimeSpan OutageBudget = TimeSpan.FromSeconds(60);

    private static readonly ResiliencePipeline Writes = new ResiliencePipelineBuilder()
        .AddTimeout(new TimeoutStrategyOptions { Timeout = OutageBudget })
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = new PredicateBuilder().Handle<NpgsqlException>(e => e.IsTransient),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            Delay = TimeSpan.FromMilliseconds(100),
            MaxDelay = TimeSpan.FromMilliseconds(500),
            UseJitter = false,
        })
        .Build();

    public async Task<bool> TryStartAsync(ExecutionRecord started, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(started);
        return await Writes.ExecuteAsync(async ct => await InsertStartedAsync(started, ct), cancellationToken);
    }

    public Task FinishAsync(string executionId, ExecutionStatus status, DateTimeOffset finishedAt, byte[]? result, string? error, CancellationToken cancellationToken) =>
        FinishAsync(executionId, status, finishedAt, result, error, traceId: null, cancellationToken);

    /// <summary>Marks the execution finished; <paramref name="traceId"/> (hex) is the trace it ran in, when telemetry is on.</summary>
    public async Task FinishAsync(
        string executionId, ExecutionStatus status, DateTimeOffset finishedAt, byte[]? result, string? error, string? traceId, CancellationToken cancellationToken) =>
        await Writes.ExecuteAsync(async ct => await UpdateFinishedAsync(executionId, status, finishedAt, result, error, traceId, ct), cancellationToken);

    private async Task<bool> InsertStartedAsync(ExecutionRecord started, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var inserted = await connection.ExecuteAsync(new CommandDefinition("""
            INSERT INTO workflow_executions (execution_id, workflow_id, trigger_id, trigger_event_id, status, started_at, finished_at, result, error)
            VALUES (@ExecutionId, @WorkflowId, @TriggerId, @TriggerEventId, @Status, @StartedAt, @FinishedAt, @Result, @Error)
            ON CONFLICT (execution_id) DO NOTHING
            """,
            new
            {
                started.ExecutionId, started.WorkflowId, started.TriggerId, started.TriggerEventId,
                Status = ExecutionStatuses.ToText(started.Status), StartedAt = started.StartedAt.ToUniversalTime(),
                FinishedAt = started.FinishedAt?.ToUniversalTime(), started.Result, started.Error,
            },
            cancellationToken: cancellationToken));
        return inserted == 1;
    }

    private async Task UpdateFinishedAsync(
        string executionId, ExecutionStatus status, DateTimeOffset finishedAt, byte[]? result, string? error, string? traceId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE workflow_executions SET status = @status, finished_at = @finishedAt, result = @result, error = @error,
                                           trace_id = COALESCE(@traceId, trace_id)
            WHERE execution_id = @executionId
            """,
            new { executionId, status = ExecutionStatuses.ToText(status), finishedAt = finishedAt.ToUniversalTime(), result, error, traceId = NullIfEmpty(traceId) },
            cancellationToken: cancellationToken));
        if (updated == 0)
        {
            throw new InvalidOperationException(
                $"execution {executionId} cannot be finished: it was never started (call TryStartAsync first)");
        }
    }

    /// <summary>
    /// Marks every execution still "started" as failed with <paramref name="reason"/>: run once at start, before any engine
    /// runs, these are the executions the previous process left when it was killed. Returns how many there were.
    /// </summary>
    public async Task<int> FailAbandonedAsync(string reason, DateTimeOffset finishedAt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition("""
            UPDATE workflow_executions SET status = @failed, finished_at = @finishedAt, error = @reason
            WHERE status = @started
            """,
            new
            {
                failed = ExecutionStatuses.ToText(ExecutionStatus.Failed), started = ExecutionStatuses.ToText(ExecutionStatus.Started),
                finishedAt = finishedAt.ToUniversalTime(), reason,
            },
            cancellationToken: cancellationToken));
    }

    private static string? NullIfEmpty(string? traceId) => string.IsNullOrEmpty(traceId) || traceId.All(c => c == '0') ? null : traceId;

    /// <summary>The execution with that id, or null.</summary>
    public async Task<ExecutionRecord?> GetAsync(string executionId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ExecutionRow>(new CommandDefinition($"""
            SELECT {Columns} FROM workflow_executions WHERE execution_id = @executionId
            """, new { executionId }, cancellationToken: cancellationToken));
        return row?.ToRecord();
    }

    /// <summary>Trace ids of executions (only those that ran with telemetry on), by execution id.</summary>
    public async Task<IReadOnlyDictionary<string, string>> TraceIdsAsync(IReadOnlyCollection<string> executionIds, CancellationToken cancellationToken)
    {
        if (executionIds.Count == 0)
        {
            return new Dictionary<string, string>();
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string ExecutionId, string TraceId)>(new CommandDefinition(
            "SELECT execution_id, trace_id FROM workflow_executions WHERE execution_id = ANY(@ids) AND trace_id IS NOT NULL",
            new { ids = executionIds.ToArray() }, cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.ExecutionId, r => r.TraceId, StringComparer.Ordinal);
    }

    private const string Columns = """
        execution_id AS ExecutionId, workflow_id AS WorkflowId, trigger_id AS TriggerId, trigger_event_id AS TriggerEventId,
        status AS Status, started_at AS StartedAt, finished_at AS FinishedAt, result AS Result, error AS Error
        """;

    /// <summary>Executions, newest first, optionally filtered by workflow id and status ("started", "succeeded", "failed").</summary>
    public async Task<IReadOnlyList<ExecutionRecord>> ListAsync(string? workflowId, ExecutionStatus? status, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ExecutionRow>(new CommandDefinition("""
            SELECT execution_id AS ExecutionId, workflow_id AS WorkflowId, trigger_id AS TriggerId, trigger_event_id AS TriggerEventId,
                   status AS Status, started_at AS StartedAt, finished_at AS FinishedAt, result AS Result, error AS Error
            FROM workflow_executions
            WHERE (@workflowId::text IS NULL OR workflow_id = @workflowId::text) AND (@status::text IS NULL OR status = @status::text)
            ORDER BY started_at DESC, execution_id
            LIMIT @limit
            """,
            new { workflowId, status = status is { } s ? ExecutionStatuses.ToText(s) : null, limit },
            cancellationToken: cancellationToken));
        return rows.Select(r => r.ToRecord()).ToList();
    }

    private sealed class ExecutionRow
    {
        public string ExecutionId { get; init; } = "";
        public string WorkflowId { get; init; } = "";
        public string TriggerId { get; init; } = "";
        public string TriggerEventId { get; init; } = "";
        public string Status { get; init; } = "";
        public DateTime StartedAt { get; init; }
        public DateTime? FinishedAt { get; init; }
        public byte[]? Result { get; init; }
        public string? Error { get; init; }

        public ExecutionRecord ToRecord() => new(
            ExecutionId, WorkflowId, TriggerId, TriggerEventId, AsUtc(StartedAt), ExecutionStatuses.Parse(Status),
            FinishedAt is { } finished ? AsUtc(finished) : null, Result, Error);

        private static DateTimeOffset AsUtc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
    }
}

/// <summary>Text form of <see cref="ExecutionStatus"/> in workflow_executions.status and the API.</summary>
public static class ExecutionStatuses
{
    public static string ToText(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Started => "started",
        ExecutionStatus.Succeeded => "succeeded",
        ExecutionStatus.Failed => "failed",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "unknown execution status"),
    };

    public static ExecutionStatus Parse(string text) => TryParse(text, out var status)
        ? status
        : throw new FormatException($"'{text}' is not an execution status (started, succeeded, failed)");

    public static bool TryParse(string? text, out ExecutionStatus status)
    {
        switch (text?.ToLowerInvariant())
        {
            case "started": status = ExecutionStatus.Started; return true;
            case "succeeded": status = ExecutionStatus.Succeeded; return true;
            case "failed": status = ExecutionStatus.Failed; return true;
            default: status = default; return false;
        }
    }
}
