using CreAspire.Execution.Contracts;

namespace CreAspire.WorkflowNode.Store;

/// <summary>
/// At start, before the syncer runs any engine, records as failed the executions the previous process of this node left
/// "started" (it was killed or crashed mid-run): the execution's outcome is unknown to this node, and it would otherwise
/// read "started" forever. Each node has its own database, so nothing another process runs is touched.
/// </summary>
public sealed partial class AbandonedExecutions(PostgresExecutionStore store, TimeProvider clock, ILogger<AbandonedExecutions> logger) : IHostedService
{
    public const string Reason = "the workflow node stopped before this execution finished (recorded when the node started again)";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var count = await store.FailAbandonedAsync(Reason, clock.GetUtcNow(), cancellationToken);
        if (count > 0)
        {
            LogAbandoned(count);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} execution(s) left started by the previous process of this node are recorded as failed")]
    private partial void LogAbandoned(int count);
}
