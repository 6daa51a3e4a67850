using CreAspire.Chain.Contracts;
using CreAspire.Chain.Registries;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Nethereum.JsonRpc.Client;
using Nethereum.Web3;

namespace CreAspire.Chain.Configuration;

/// <summary>DI registration of the Nethereum chain client and the registry readers from configuration.</summary>
public static class ChainServiceCollectionExtensions
{
    /// <summary>The HttpClient name used for JSON-RPC.</summary>
    public const string HttpClientName = "chain";

    /// <summary>
    /// Registers <see cref="ChainOptions"/> (validated at start) and a shared read-only Nethereum <see cref="IWeb3"/> over
    /// a JSON-RPC client for ConnectionStrings:chain.
    /// </summary>
    public static IServiceCollection AddChainClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(IClient)))
        {
            return services; // already registered by another Add… call
        }

        services.AddOptions<ChainOptions>().Configure(o => ChainOptions.Bind(o, configuration)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(HttpClientName);
        services.AddSingleton(sp => ChainClients.CreateRpcClient(
            sp.GetRequiredService<IOptions<ChainOptions>>().Value.RpcUrl,
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName)));
        services.AddSingleton<IWeb3>(sp => ChainClients.ReadOnly(sp.GetRequiredService<IClient>()));
        return services;
    }

    /// <summary>AddChainClient plus the syncer's <see cref="IWorkflowRegistryReader"/> for Chain:WorkflowRegistry.</summary>
    public static IServiceCollection AddWorkflowRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddChainClient(configuration);
        services.AddSingleton(sp => new WorkflowRegistryReader(
            sp.GetRequiredService<IWeb3>(),
            ChainOptions.RequireAddress(sp.GetRequiredService<IOptions<ChainOptions>>().Value.WorkflowRegistry, nameof(ChainOptions.WorkflowRegistry))));
        services.AddSingleton<IWorkflowRegistryReader>(sp => sp.GetRequiredService<WorkflowRegistryReader>());
        return services;
    }

    /// <summary>AddChainClient plus the <see cref="CapabilitiesRegistryReader"/> for Chain:CapabilitiesRegistry.</summary>
    public static IServiceCollection AddCapabilitiesRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddChainClient(configuration);
        services.AddSingleton(sp => new CapabilitiesRegistryReader(
            sp.GetRequiredService<IWeb3>(),
            ChainOptions.RequireAddress(sp.GetRequiredService<IOptions<ChainOptions>>().Value.CapabilitiesRegistry, nameof(ChainOptions.CapabilitiesRegistry))));
        return services;
    }
}
