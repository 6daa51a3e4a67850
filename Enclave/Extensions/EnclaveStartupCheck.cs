using CreAspire.Enclave.Identity;
using CreAspire.Enclave.Quorum;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Topology;

namespace CreAspire.Enclave;

/// <summary>Fails the start, with what to register, instead of the first compute request.</summary>
internal sealed class EnclaveStartupCheck(IServiceProvider services, ILogger<EnclaveStartupCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = services.GetService<IWorkflowModuleFactory>()
            ?? throw new InvalidOperationException("no IWorkflowModuleFactory is registered: the enclave compiles workflow binaries with it (register the Wasmtime module factory)");
        _ = services.GetService<ITopologySource>()
            ?? throw new InvalidOperationException("no ITopologySource is registered: the enclave reads workflow-DON membership and F from it (register the chain-backed source)");
        var attestor = services.GetRequiredService<EnclaveAttestor>();
        _ = services.GetRequiredService<ComputeRequestQuorum>();
        logger.LogInformation("Enclave {ModuleId} ready; trusted PCRs {TrustedPcrs}", attestor.ModuleId, attestor.TrustedPcrsJson);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
