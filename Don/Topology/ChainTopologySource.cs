using CreAspire.Chain.Configuration;
using CreAspire.Chain.Crypto;
using CreAspire.Chain.Registries;
using CreAspire.Protocol.Topology;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CreAspire.Don.Topology;

/// <summary>
/// The topology read from the CapabilitiesRegistry (DONs, nodes, capabilities), cached for
/// <see cref="ChainOptions.TopologyRefreshInterval"/>. Concurrent callers share one refresh; if a refresh fails and an
/// older snapshot exists it is served (and the failure logged) so a chain hiccup does not stop the node.
/// </summary>
public sealed class ChainTopologySource : ITopologySource, IDisposable
{
    private readonly CapabilitiesRegistry _registry;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private RegistrySnapshot? _snapshot;
    private DateTimeOffset _readAt;

    public ChainTopologySource(CapabilitiesRegistry registry, TimeSpan refreshInterval, TimeProvider? clock = null, ILogger<ChainTopologySource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(refreshInterval, TimeSpan.Zero);
        _registry = registry;
        _refreshInterval = refreshInterval;
        _clock = clock ?? TimeProvider.System;
        _logger = logger ?? NullLogger<ChainTopologySource>.Instance;
    }

    public async ValueTask<RegistrySnapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        if (_snapshot is { } fresh && _clock.GetUtcNow() - _readAt < _refreshInterval)
        {
            return fresh;
        }

        await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_snapshot is { } refreshed && _clock.GetUtcNow() - _readAt < _refreshInterval)
            {
                return refreshed; // another caller refreshed while we waited
            }

            try
            {
                _snapshot = await ReadAsync(cancellationToken).ConfigureAwait(false);
                _readAt = _clock.GetUtcNow();
            }
            catch (Exception ex) when (_snapshot is not null && ex is not OperationCanceledException)
            {
                _logger.LogWarning(ex, "Reading the topology from CapabilitiesRegistry {Address} failed; serving the snapshot read at {ReadAt}", _registry.Address, _readAt);
            }

            return _snapshot;
        }
        finally
        {
            _refresh.Release();
        }
    }

    /// <summary>Reads everything now (no cache): DONs with members as signer addresses, nodes, capability ids.</summary>
    public async Task<RegistrySnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var capabilitiesTask = _registry.GetCapabilitiesAsync(cancellationToken);
        var nodesTask = _registry.GetNodesAsync(cancellationToken);
        var donsTask = _registry.GetDonsAsync(cancellationToken);
        await Task.WhenAll(capabilitiesTask, nodesTask, donsTask).ConfigureAwait(false);

        var nodes = nodesTask.Result;
        var signerByP2pId = nodes.ToDictionary(n => Hex.Encode0x(n.P2pId), n => n.Signer.ToLowerInvariant(), StringComparer.Ordinal);
        var dons = donsTask.Result.Select(d => new DonInfo(
            d.Id,
            d.Name,
            d.F,
            d.DonFamilies,
            d.IsPublic,
            d.AcceptsWorkflows,
            d.NodeP2pIds.Select(p => signerByP2pId.TryGetValue(Hex.Encode0x(p), out var signer)
                ? signer
                : throw new InvalidOperationException($"DON '{d.Name}' lists node {Hex.Encode0x(p)} that CapabilitiesRegistry {_registry.Address} does not know.")).ToArray(),
            d.CapabilityConfigurations.Select(c => new DonCapabilityConfig(c.CapabilityId, c.Config)).ToArray())).ToArray();

        return new RegistrySnapshot(
            dons,
            nodes.Select(n => new NodeInfo(n.Signer.ToLowerInvariant(), Hex.Encode0x(n.P2pId), n.CapabilityIds)
            {
                EncryptionPublicKey = Hex.Encode(n.EncryptionPublicKey),
            }).ToArray(),
            capabilitiesTask.Result.Select(c => c.CapabilityId).ToArray());
    }

    public void Dispose() => _refresh.Dispose();
}

/// <summary>DI registration of <see cref="ChainTopologySource"/> as the node's <see cref="ITopologySource"/>.</summary>
public static class ChainTopologyServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ITopologySource"/> backed by the CapabilitiesRegistry at Chain:CapabilitiesRegistry on the chain at
    /// ConnectionStrings:chain, cached for Chain:TopologyRefreshInterval (default 2 s).
    /// </summary>
    public static IServiceCollection AddChainTopologySource(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddCapabilitiesRegistry(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new ChainTopologySource(
            sp.GetRequiredService<CapabilitiesRegistry>(),
            sp.GetRequiredService<IOptions<ChainOptions>>().Value.TopologyRefreshInterval,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<ChainTopologySource>>()));
        services.AddSingleton<ITopologySource>(sp => sp.GetRequiredService<ChainTopologySource>());
        return services;
    }
}
