using System.Collections.Concurrent;
using System.Diagnostics;
using CreAspire.Execution.Contracts;

namespace CreAspire.WorkflowNode.Store;

/// <summary>
/// The engine's <see cref="IExecutionStore"/> (Postgres) plus two things the node's API needs: a caller can wait for the
/// moment an execution id was recorded as started (or found to be a duplicate), which is how "fire now" knows the node
/// really fired; and the trace an execution ran in is stored with its result (the engine finishes inside its span).
/// </summary>
public sealed class SignallingExecutionStore(PostgresExecutionStore inner) : IExecutionStore
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource<bool>> _waiting = new(StringComparer.Ordinal);

    /// <summary>
    /// Completes with true when <paramref name="executionId"/> is recorded as a new execution, false when the engine found it
    /// recorded already. Call before firing; dispose the registration when done waiting.
    /// </summary>
    public StartWaiter Expect(string executionId)
    {
        var source = _waiting.GetOrAdd(executionId, _ => new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        return new StartWaiter(source.Task, () => _waiting.TryRemove(new KeyValuePair<string, TaskCompletionSource<bool>>(executionId, source)));
    }

    public async Task<bool> TryStartAsync(ExecutionRecord started, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(started);
        var recorded = await inner.TryStartAsync(started, cancellationToken);
        if (_waiting.TryGetValue(started.ExecutionId, out var waiter))
        {
            waiter.TrySetResult(recorded);
        }

        return recorded;
    }

    public Task FinishAsync(string executionId, ExecutionStatus status, DateTimeOffset finishedAt, byte[]? result, string? error, CancellationToken cancellationToken) =>
        inner.FinishAsync(executionId, status, finishedAt, result, error, Activity.Current?.TraceId.ToHexString(), cancellationToken);

    /// <summary>A pending wait for one execution id's start.</summary>
    public sealed class StartWaiter(Task<bool> started, Action release) : IDisposable
    {
        public Task<bool> Started { get; } = started;

        public void Dispose() => release();
    }
}
