using CreAspire.Gateway.Apis;
using CreAspire.Gateway.Connections;
using CreAspire.Gateway.Relay;
using CreAspire.Gateway.Routing;
using CreAspire.Gateway.Topology;
using CreAspire.Protocol.Topology;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CreAspire.Gateway.Extensions;

public static class GatewayExtensions
{
    /// <summary>
    /// Gateway services: options (validated at start), the relay DON topology (an <see cref="ITopologySource"/> registered
    /// before this call wins; otherwise the "Topology" configuration section), node connections and the confidential relay handler.
    /// </summary>
    public static TBuilder AddGateway<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<GatewayOptions>().Bind(builder.Configuration.GetSection(GatewayOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ConfidentialRelayOptions>().Bind(builder.Configuration.GetSection(ConfidentialRelayOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ConfidentialRelayOptions>, ConfidentialRelayOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITopologySource>(_ => ConfiguredTopologySource.FromConfiguration(builder.Configuration));
        services.AddSingleton<RelayDonResolver>();
        services.AddSingleton<NodeHandshakeAuthenticator>();
        services.AddSingleton<NodeConnectionManager>();
        services.AddHostedService<NodeSessionWarmUp>();
        services.AddSingleton<INodeConnections>(sp => sp.GetRequiredService<NodeConnectionManager>());
        services.AddSingleton<ConfidentialRelayHandler>();
        services.AddSingleton<IGatewayServiceHandler>(sp => sp.GetRequiredService<ConfidentialRelayHandler>());
        return builder;
    }

    /// <summary>Maps the node WebSocket endpoint (/node) and the user JSON-RPC endpoint (POST /).</summary>
    public static WebApplication MapGateway(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseWebSockets();
        app.MapNodeApi();
        app.MapUserApi();
        app.MapConnectionsApi();
        return app;
    }

    private sealed class ConfidentialRelayOptionsValidator(IOptions<GatewayOptions> gateway) : IValidateOptions<ConfidentialRelayOptions>
    {
        public ValidateOptionsResult Validate(string? name, ConfidentialRelayOptions options)
        {
            if (options.RequestTimeout <= TimeSpan.Zero || options.CleanupPeriod <= TimeSpan.Zero)
            {
                return ValidateOptionsResult.Fail("Gateway:ConfidentialRelay:RequestTimeout and CleanupPeriod must be positive.");
            }

            // Expiry is swept every CleanupPeriod, so it can land that much after RequestTimeout; the user deadline must
            // come later still, or a caller gets the generic "handler timeout" instead of the handler's "request expired".
            if (options.RequestTimeout + options.CleanupPeriod >= gateway.Value.UserRequestTimeout)
            {
                return ValidateOptionsResult.Fail($"Gateway:ConfidentialRelay:RequestTimeout ({options.RequestTimeout}) plus CleanupPeriod ({options.CleanupPeriod}) must be below Gateway:UserRequestTimeout ({gateway.Value.UserRequestTimeout}) so the handler's expiry, swept every CleanupPeriod, always comes before the gateway's deadline.");
            }

            return options.PerNodeRatePerSecond <= 0 || options.GlobalRatePerSecond <= 0 || options.MaxActiveRequests <= 0
                ? ValidateOptionsResult.Fail("Gateway:ConfidentialRelay rate limits and MaxActiveRequests must be positive.")
                : ValidateOptionsResult.Success;
        }
    }
}
