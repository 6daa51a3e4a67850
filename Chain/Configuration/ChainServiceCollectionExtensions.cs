using CreAspire.Chain.Registries;
using CreAspire.Chain.Rpc;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CreAspire.Chain.Configuration;

/// <summary>DI registration of the chain client and the registry bindings from configuration.</summary>
public static class ChainServiceCollectionExtensions
{
    /// <summary>The HttpClient name used for JSON-RPC.</summary>
    public const string HttpClientName = "chain";

    /// <summary>
    /// Registers <see cref="ChainOptions"/> (validated at start), a shared <see cref="EthRpcClient"/> for ConnectionStrings:chain,
    /// and <see cref="WorkflowRegistry"/> / <see cref="IWorkflowRegistryReader"/> at Chain:WorkflowRegistry.
    /// </summary>
    public static IServiceCollection AddChainClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(EthRpcClient)))
        {
            return services; // already registered by another Add… call
        }

        services.AddOptions<ChainOptions>().Configure(o => ChainOptions.Bind(o, configuration)).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(HttpClientName);
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ChainOptions>>().Value;
            return new EthRpcClient(sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName), new Uri(options.RpcUrl));
        });
        return services;
    }

    /// <summary>AddChainClient plus the WorkflowRegistry binding (the syncer's <see cref="IWorkflowRegistryReader"/>).</summary>
    public static IServiceCollection AddWorkflowRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddChainClient(configuration);
        services.AddSingleton(sp => new WorkflowRegistry(
            sp.GetRequiredService<EthRpcClient>(),
            ChainOptions.RequireAddress(sp.GetRequiredService<IOptions<ChainOptions>>().Value.WorkflowRegistry, nameof(ChainOptions.WorkflowRegistry))));
        services.AddSingleton<IWorkflowRegistryReader>(sp => sp.GetRequiredService<WorkflowRegistry>());
        return services;
    }

    /// <summary>AddChainClient plus the CapabilitiesRegistry binding at Chain:CapabilitiesRegistry.</summary>
    public static IServiceCollection AddCapabilitiesRegistry(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddChainClient(configuration);
        services.AddSingleton(sp => new CapabilitiesRegistry(
            sp.GetRequiredService<EthRpcClient>(),
            ChainOptions.RequireAddress(sp.GetRequiredService<IOptions<ChainOptions>>().Value.CapabilitiesRegistry, nameof(ChainOptions.CapabilitiesRegistry))));
        return services;
    }
}
