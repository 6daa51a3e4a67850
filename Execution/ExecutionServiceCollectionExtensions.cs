using CreAspire.Execution.Contracts;
using CreAspire.Execution.Engine;
using CreAspire.Execution.Triggers;
using CreAspire.Execution.Wasm;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace CreAspire.Execution;

public static class ExecutionServiceCollectionExtensions
{
    /// <summary>
    /// Registers the WASM host (<see cref="IWorkflowModuleFactory"/>), the cron trigger, the trigger registry (every
    /// registered <see cref="ITriggerCapability"/>) and <see cref="IWorkflowEngineFactory"/>. The caller registers its own
    /// <see cref="ICapabilityDispatcher"/>, <see cref="ISecretsProvider"/> and <see cref="IExecutionStore"/>.
    /// </summary>
    public static IServiceCollection AddWorkflowExecution(this IServiceCollection services, WasmHostOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddWorkflowExecutionHost(options);
        services.TryAddSingleton(sp => new CronTrigger(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CronTrigger>>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ITriggerCapability, CronTrigger>(sp => sp.GetRequiredService<CronTrigger>()));
        services.TryAddSingleton<ITriggerRegistry>(sp => new TriggerRegistry(sp.GetServices<ITriggerCapability>()));
        services.TryAddSingleton<IWorkflowEngineFactory>(sp => new WorkflowEngineFactory(
            sp.GetRequiredService<ITriggerRegistry>(),
            sp.GetRequiredService<IExecutionStore>(),
            sp.GetRequiredService<ICapabilityDispatcher>(),
            sp.GetRequiredService<ISecretsProvider>(),
            sp.GetRequiredService<ILoggerFactory>(),
            sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>
    /// Registers only the WASM host (<see cref="IWorkflowModuleFactory"/>): what the enclave needs to run a workflow
    /// binary it was handed, without engines or triggers.
    /// </summary>
    public static IServiceCollection AddWorkflowExecutionHost(this IServiceCollection services, WasmHostOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(options ?? new WasmHostOptions());
        services.TryAddSingleton(sp => new WasmWorkflowModuleFactory(
            sp.GetRequiredService<WasmHostOptions>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>()));
        services.TryAddSingleton<IWorkflowModuleFactory>(sp => sp.GetRequiredService<WasmWorkflowModuleFactory>());
        return services;
    }
}
