using CreAspire.Don.Topology;
using CreAspire.MockCapability.Apis;
using CreAspire.MockCapability.Mock;
using CreAspire.MockCapability.Vault;
using CreAspire.Protocol.Topology;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CreAspire.MockCapability;

/// <summary>Wires a capability DON node: mock@1.0.0 and vault@1.0.0 served through the capability launcher.</summary>
public static class CapabilityNodeExtensions
{
    /// <summary>
    /// Registers the stores, both capabilities as local capabilities, the launcher and the DON transport. Uses an
    /// <see cref="ITopologySource"/> registered before this call (the chain), else the <c>Topology</c> configuration section.
    /// Expects <c>AddNpgsqlDataSource("nodedb", ...)</c> for the store.
    /// </summary>
    public static TBuilder AddCapabilityNode<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var configuration = builder.Configuration;
        var services = builder.Services;
        services.TryAddSingleton<ITopologySource>(_ => ConfigurationTopologySource.IsConfigured(configuration)
            ? ConfigurationTopologySource.FromConfiguration(configuration)
            : throw new InvalidOperationException("No topology: register an ITopologySource (the CapabilitiesRegistry reader) before AddCapabilityNode, or configure Topology:Dons."));
        services.AddOptions<MockOptions>().Bind(configuration.GetSection(MockOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<VaultOptions>().Bind(configuration.GetSection(VaultOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<MockRequestStore>();
        services.AddSingleton<SecretStore>();
        services.AddSingleton<VaultRequestStore>();
        services.AddHostedService<SecretSeeder>();
        services.AddHostedService<CreAspire.Protocol.Secrets.SecretSealerSelfTest>();
        services.AddCapabilityLauncher(configuration);
        services.AddLocalCapability<MockCapabilityService>();
        services.AddLocalCapability<VaultCapabilityService>();
        return builder;
    }

    /// <summary>Maps the DON transport endpoint, GET /requests, GET /vault/requests and POST /secrets.</summary>
    public static WebApplication MapCapabilityNode(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapDonTransport();
        app.MapDonPeers();
        app.MapRequestsApi();
        app.MapVaultRequestsApi();
        app.MapSecretsApi();
        return app;
    }
}
