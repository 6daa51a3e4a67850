using CreAspire.Don.Launcher;
using CreAspire.Don.Remote;
using CreAspire.Don.Transport;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Topology;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>DI and endpoint wiring for the DON transport, remote capabilities and the capability launcher.</summary>
public static class DonServiceCollectionExtensions
{
    /// <summary>
    /// Registers the authenticated node-to-node transport and the remote capability server: NodeIdentity (Node:*) and
    /// PeerDirectory (Peers:*) from configuration unless already registered, options Don:Transport and
    /// Don:RemoteCapabilities (validated at start). The host registers an <see cref="ITopologySource"/>.
    /// </summary>
    public static IServiceCollection AddDonTransport(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(_ => NodeIdentity.FromConfiguration(configuration));
        services.TryAddSingleton(_ => PeerDirectory.FromConfiguration(configuration));
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<DonTransportOptions>().Bind(configuration.GetSection(DonTransportOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RemoteCapabilityOptions>().Bind(configuration.GetSection(RemoteCapabilityOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<DonTransportClient>();
        services.TryAddSingleton<RemoteCapabilityServer>();
        return services;
    }

    /// <summary>
    /// Registers the capability launcher (hosted service, also resolvable as <see cref="CapabilityLauncher"/>) and an
    /// <see cref="ICapabilityRegistry"/> unless one exists. Call <see cref="AddLocalCapability{T}"/> for what this node serves.
    /// </summary>
    public static IServiceCollection AddCapabilityLauncher(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddDonTransport(configuration);
        services.AddOptions<CapabilityLauncherOptions>().Bind(configuration.GetSection(CapabilityLauncherOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<ICapabilityRegistry, CapabilityRegistry>();
        services.TryAddSingleton<CapabilityLauncher>();
        services.AddHostedService(sp => sp.GetRequiredService<CapabilityLauncher>());
        return services;
    }

    /// <summary>Registers <typeparamref name="T"/> as a singleton capability this node serves to other DONs (when its DON lists it).</summary>
    public static IServiceCollection AddLocalCapability<T>(this IServiceCollection services)
        where T : class, IExecutableCapability
    {
        services.TryAddSingleton<T>();
        services.AddSingleton(sp => new LocalCapability(sp.GetRequiredService<T>()));
        return services;
    }

    /// <summary>
    /// Adds the WebSocket middleware and maps <see cref="DonTransportOptions.SessionPath"/>, where peers open their
    /// authenticated sessions.
    /// </summary>
    public static IEndpointConventionBuilder MapDonTransport(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseWebSockets();
        return app.Map(DonTransportOptions.SessionPath, DonTransportEndpoint.HandleAsync);
    }

    /// <summary>
    /// Maps GET /don/v1/peers: this node's name and signer address, and the sessions it has opened to other nodes (peer
    /// address, state, reason), for the explorer's DON view. Read-only; no sessions when the node never called a peer.
    /// </summary>
    public static IEndpointConventionBuilder MapDonPeers(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.MapGet(DonTransportOptions.PeersPath, (IServiceProvider services) =>
        {
            var identity = services.GetService<NodeIdentity>();
            return Results.Ok(new
            {
                node = identity?.Name,
                address = identity?.Address,
                sessions = services.GetService<DonTransportClient>()?.OutgoingSessions ?? [],
            });
        });
    }
}
