using CreAspire.Chain.Configuration;
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
/// The topology read from the CapabilitiesRegistry (DONs, nodes, capabilities). Only the first read is waited for;
/// after that callers get the latest snapshot at once, and a caller that finds it older than
/// <see cref="ChainOptions.TopologyRefreshInterval"/> starts one background refresh (concurrent callers share it), so
/// registry reads never sit in the path of a request. If a refresh fails the older snapshot stays (the failure is
/// logged) so a chain hiccup does not stop the node.
/// </summary>
public sealed class ChainTopologySource : ITopologySource, IDisposable
{
    private readonly CapabilitiesRegistryReader _registry;
    private readonly TimeSpan _refreshInterval;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _firstRead = new(1, 1);
    private readonly CancellationTokenSource _disposing = new();
    private volatile RegistrySnapshot? _snapshot;
    private DateTimeOffset _readAt;
    private int _refreshing;
    private int _disposed;

    public ChainTopologySource(CapabilitiesRegistryReader registry, TimeSpan refreshInterval, TimeProvider? clock = null, ILogger<ChainTopologySource>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(refreshInterval, TimeSpan.Zero);
        _registry = registry;
        _refreshInterval = refreshInterval;
        _clock = clock ?? TimeProvider.System;
        _logger = logger ?? NullLogger<ChainTopologySource>.Instance;
    }

    /// <summary>The background refresh in progress, if any (tests wait on it).</summary>
    public Task Refreshing { get; private set; } = Task.CompletedTask;

    public async ValueTask<RegistrySnapshot> GetSnapshotAsync(CancellationToken cancellationToken)
    {
        if (_snapshot is { } current)
        {
            if (_clock.GetUtcNow() - _readAt >= _refreshInterval && Interlocked.CompareExchange(ref _refreshing, 1, 0) == 0)
            {
                Refreshing = RefreshInBackgroundAsync();
            }

            return current;
        }

        await _firstRead.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_snapshot is { } readMeanwhile)
            {
                return readMeanwhile;
            }

            var snapshot = await ReadAsync(cancellationToken).ConfigureAwait(false);
            _readAt = _clock.GetUtcNow();
            _snapshot = snapshot;
            return snapshot;
        }
        finally
        {
            _firstRead.Release();
        }
    }

    private async Task RefreshInBackgroundAsync()
    {
        try
        {
            var snapshot = await ReadAsync(_disposing.Token).ConfigureAwait(false);
            _readAt = _clock.GetUtcNow();
            _snapshot = snapshot;
        }
        catch (OperationCanceledException) when (_disposing.IsCancellationRequested)
        {
            // disposed
        }
#pragma warning disable CA1031 // a failed refresh keeps the older snapshot; the next caller after the interval tries again
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _readAt = _clock.GetUtcNow();
            _logger.LogWarning(ex, "Reading the topology from CapabilitiesRegistry {Address} failed; serving the snapshot read before", _registry.Address);
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    /// <summary>
    /// Reads everything now (no cache): DONs with members as signer addresses, nodes, capability ids (deprecated ones left
    /// out). The first read checks the registry's typeAndVersion and refuses one this project does not target.
    /// </summary>
    public async Task<RegistrySnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var contents = await _registry.ReadAsync(cancellationToken).ConfigureAwait(false);
        var signerByP2pId = contents.Nodes.ToDictionary(n => Hex0x(n.P2pId), n => n.Signer, StringComparer.Ordinal);
        var dons = contents.Dons.Select(d => new DonInfo(
            d.Id,
            d.Name,
            d.F,
            d.DonFamilies,
            d.IsPublic,
            d.AcceptsWorkflows,
            d.NodeP2PIds.Select(p => signerByP2pId.TryGetValue(Hex0x(p), out var signer)
                ? signer
                : throw new InvalidOperationException($"DON '{d.Name}' lists node {Hex0x(p)} that CapabilitiesRegistry {_registry.Address} does not know.")).ToArray(),
            d.CapabilityConfigurations.Select(c => new DonCapabilityConfig(c.CapabilityId, c.Config)).ToArray())).ToArray();

        return new RegistrySnapshot(
            dons,
            contents.Nodes.Select(n => new NodeInfo(n.Signer, Hex0x(n.P2pId), n.CapabilityIds)
            {
                EncryptionPublicKey = Convert.ToHexStringLower(n.EncryptionPublicKey),
            }).ToArray(),
            contents.Capabilities.Where(c => !c.IsDeprecated).Select(c => c.CapabilityId).ToArray());
    }

    private static string Hex0x(byte[] bytes) => "0x" + Convert.ToHexStringLower(bytes);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return; // registered as itself and as ITopologySource: disposed once per registration
        }

        _disposing.Cancel();
        _disposing.Dispose();
        _firstRead.Dispose();
    }
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
            sp.GetRequiredService<CapabilitiesRegistryReader>(),
            sp.GetRequiredService<IOptions<ChainOptions>>().Value.TopologyRefreshInterval,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<ILogger<ChainTopologySource>>()));
        services.AddSingleton<ITopologySource>(sp => sp.GetRequiredService<ChainTopologySource>());
        return services;
    }
}
