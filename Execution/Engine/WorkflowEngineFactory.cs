using CreAspire.Execution.Contracts;
using CreAspire.Execution.Triggers;
using Microsoft.Extensions.Logging;

namespace CreAspire.Execution.Engine;

/// <summary>Builds <see cref="WorkflowEngine"/>s that share a node's triggers, execution store, capabilities and secrets.</summary>
public sealed class WorkflowEngineFactory(
    ITriggerRegistry triggers,
    IExecutionStore store,
    ICapabilityDispatcher capabilities,
    ISecretsProvider secrets,
    ILoggerFactory loggerFactory,
    TimeProvider timeProvider) : IWorkflowEngineFactory
{
    internal ITriggerRegistry Triggers { get; } = triggers ?? throw new ArgumentNullException(nameof(triggers));
    internal IExecutionStore Store { get; } = store ?? throw new ArgumentNullException(nameof(store));
    internal ICapabilityDispatcher Capabilities { get; } = capabilities ?? throw new ArgumentNullException(nameof(capabilities));
    internal ISecretsProvider Secrets { get; } = secrets ?? throw new ArgumentNullException(nameof(secrets));
    internal ILoggerFactory LoggerFactory { get; } = loggerFactory ?? throw new ArgumentNullException(nameof(loggerFactory));
    internal TimeProvider TimeProvider { get; } = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));

    public IWorkflowEngine Create(EngineConfig config, IWorkflowModule module) => CreateEngine(config, module);

    public WorkflowEngine CreateEngine(EngineConfig config, IWorkflowModule module)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(module);
        if (string.IsNullOrEmpty(config.WorkflowId))
        {
            throw new ArgumentException("EngineConfig.WorkflowId is required", nameof(config));
        }

        return new WorkflowEngine(config, module, this);
    }
}
