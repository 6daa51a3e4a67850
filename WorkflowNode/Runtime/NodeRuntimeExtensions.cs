using CreAspire.Chain.Configuration;
using CreAspire.Don.Topology;
using CreAspire.Execution;
using CreAspire.Execution.Contracts;
using CreAspire.Execution.Engine;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Enclave;
using CreAspire.Protocol.Identity;
using CreAspire.WorkflowNode.Apis;

namespace CreAspire.WorkflowNode.Runtime;

/// <summary>
/// What a workflow node runs on: the WorkflowRegistry binding (syncer), the CapabilitiesRegistry topology and the capability
/// launcher (remote mock@1.0.0 / vault@1.0.0 clients), the WASM host, engines and cron trigger, and the
/// confidential-workflows@1.0.0-alpha capability that forwards confidential executions to the enclave.
/// </summary>
public static class NodeRuntimeExtensions
{
    public static IHostApplicationBuilder AddNodeRuntime(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddWorkflowRegistry(configuration);
        services.AddChainTopologySource(configuration);
        services.AddCapabilityLauncher(configuration);
        services.AddSingleton<ICapabilityDispatcher>(sp => new CapabilityRegistryDispatcher(sp.GetRequiredService<ICapabilityRegistry>()));
        services.AddSingleton<ISecretsProvider, VaultSecretsProvider>();
        services.AddWorkflowExecution();
        services.AddSingleton<IWorkflowFireHook, CronFireHook>();
        services.AddHostedService<ConfidentialCapabilityRegistration>();
        return builder;
    }

    /// <summary>
    /// Registers confidential-workflows@1.0.0-alpha in the node's capability registry when an enclave is configured
    /// (services:enclave:http:0). Without one, confidential workflows fail with the original's "failed to get
    /// confidential-workflows capability" error, visible through the node's API.
    /// </summary>
    private sealed class ConfidentialCapabilityRegistration(
        IConfiguration configuration, NodeIdentity identity, ICapabilityRegistry registry, ILogger<ConfidentialCapabilityRegistration> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (string.IsNullOrWhiteSpace(configuration[ConfidentialWorkflowsCapability.EnclaveServiceKey]))
            {
                logger.LogWarning("No enclave is configured ({Key}); confidential workflows cannot run on this node", ConfidentialWorkflowsCapability.EnclaveServiceKey);
                return Task.CompletedTask;
            }

            registry.AddOrReplace(ConfidentialWorkflowsCapability.FromConfiguration(configuration, identity));
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
