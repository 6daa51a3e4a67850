namespace CreAspire.Execution.Contracts;

/// <summary>Compiles a workflow binary (raw WASM bytes) into a module the engine or the enclave can execute.</summary>
public interface IWorkflowModuleFactory
{
    /// <summary>
    /// Throws <see cref="InvalidOperationException"/> with the reason when the binary is not a valid v2 workflow module.
    /// The factory owns the module (it may hand the same compiled module to every caller of the same binary): callers use
    /// it and never dispose it.
    /// </summary>
    IWorkflowModule Create(byte[] wasm);
}

/// <summary>One workflow's engine: subscribes its triggers on start and executes the module on every trigger event.</summary>
public interface IWorkflowEngine : IAsyncDisposable
{
    EngineConfig Config { get; }

    /// <summary>Runs the subscribe request and registers the trigger subscriptions; throws if initialization failed.</summary>
    Task StartAsync(CancellationToken cancellationToken);

    Task StopAsync(CancellationToken cancellationToken);
}

/// <summary>Builds engines. Confidential and local workflows go through the same factory with the same config.</summary>
public interface IWorkflowEngineFactory
{
    IWorkflowEngine Create(EngineConfig config, IWorkflowModule module);
}

public enum ExecutionStatus
{
    Started,
    Succeeded,
    Failed,
}

/// <summary>An execution as the engine records it.</summary>
public sealed record ExecutionRecord(
    string ExecutionId,
    string WorkflowId,
    string TriggerId,
    string TriggerEventId,
    DateTimeOffset StartedAt,
    ExecutionStatus Status,
    DateTimeOffset? FinishedAt = null,
    byte[]? Result = null,
    string? Error = null);

/// <summary>Durable record of executions (Postgres on a workflow node).</summary>
public interface IExecutionStore
{
    /// <summary>Records a started execution; false if this execution id was already recorded (the trigger fired twice).</summary>
    Task<bool> TryStartAsync(ExecutionRecord started, CancellationToken cancellationToken);

    /// <summary>Marks the execution finished with its serialized ExecutionResult or error.</summary>
    Task FinishAsync(string executionId, ExecutionStatus status, DateTimeOffset finishedAt, byte[]? result, string? error, CancellationToken cancellationToken);
}
