using CreAspire.Attestation.Testing;
using CreAspire.Enclave;
using CreAspire.Enclave.Identity;
using CreAspire.Enclave.Quorum;
using CreAspire.Enclave.Relay;
using CreAspire.Enclave.Workflows;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.Hosting;

/// <summary>DI registration of the enclave. The host must also register an IWorkflowModuleFactory and an ITopologySource.</summary>
public static class EnclaveServiceExtensions
{
    public static IHostApplicationBuilder AddEnclave(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<EnclaveOptions>()
            .Bind(builder.Configuration.GetSection(EnclaveOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<EnclaveOptions>, EnclaveOptionsValidator>();

        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => new EnclaveAttestor(FakeNitroIdentity.Load(sp.GetRequiredService<IOptions<EnclaveOptions>>().Value.IdentityDirectory)));
        builder.Services.AddSingleton<ExecutionLog>();
        builder.Services.AddSingleton<ConfidentialWorkflowRunner>();
        builder.Services.AddSingleton<ComputeRequestQuorum>();

        // JSON-RPC calls carry unique ids and are not idempotent at the gateway: no automatic retries, own timeout.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is marked experimental; it is the documented opt-out.
        builder.Services.AddHttpClient<RelayGatewayClient>(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton<WorkflowBinaryCache>();
        builder.Services.AddHttpClient<WorkflowBinaryFetcher>(client => client.Timeout = Timeout.InfiniteTimeSpan);
        builder.Services.AddHostedService<EnclaveStartupCheck>();
        builder.Services.AddHostedService<CreAspire.Protocol.Secrets.SecretSealerSelfTest>();
        if (builder.Configuration.GetValue<bool>($"{EnclaveOptions.SectionName}:{nameof(EnclaveOptions.PathProbe)}"))
        {
            builder.Services.AddSingleton<ConfidentialPathProbe>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ConfidentialPathProbe>());
        }
        return builder;
    }
}
