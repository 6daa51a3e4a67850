using System.Collections.Concurrent;
using CreAspire.Execution.Contracts;

namespace CreAspire.Execution.Engine;

/// <summary>Execution store in memory (tests, benchmarks, the enclave). Postgres replaces it on workflow nodes.</summary>
public sealed class InMemoryExecutionStore : IExecutionStore
{
    private readonly ConcurrentDictionary<string, ExecutionRecord> _records = new(StringComparer.Ordinal);

    public IReadOnlyList<ExecutionRecord> Records => _records.Values.OrderBy(r => r.StartedAt).ThenBy(r => r.ExecutionId, StringComparer.Ordinal).ToArray();

    public ExecutionRecord? Get(string executionId) => _records.GetValueOrDefault(executionId);

    public Task<bool> TryStartAsync(ExecutionRecord started, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(started);
        return Task.FromResult(_records.TryAdd(started.ExecutionId, started));
    }

    public Task FinishAsync(string executionId, ExecutionStatus status, DateTimeOffset finishedAt, byte[]? result, string? error, CancellationToken cancellationToken)
    {
        if (!_records.TryGetValue(executionId, out var record))
        {
            throw new InvalidOperationException($"execution {executionId} was never started in this store");
        }

        _records[executionId] = record with { Status = status, FinishedAt = finishedAt, Result = result, Error = error };
        return Task.CompletedTask;
    }
}
