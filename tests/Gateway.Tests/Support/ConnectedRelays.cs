using CreAspire.Gateway.Tests.Gateway;
using CreAspire.Protocol.Capabilities;
using CreAspire.RelayNode.Connector;
using CreAspire.RelayNode.Relay;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CreAspire.Gateway.Tests.Support;

/// <summary>
/// Relay connectors running against a test gateway, each with its own stop (so a test can take one node away); started
/// once all of them are connected, all stopped and awaited on dispose.
/// </summary>
internal sealed class ConnectedRelays : IAsyncDisposable
{
    private readonly CancellationTokenSource[] _stops;
    private readonly Task[] _runs;

    private ConnectedRelays(IReadOnlyList<GatewayConnector> connectors)
    {
        _stops = connectors.Select(_ => new CancellationTokenSource()).ToArray();
        _runs = connectors.Select((connector, i) => connector.RunAsync(_stops[i].Token)).ToArray();
    }

    /// <summary>
    /// One connector per node of <paramref name="don"/>, each serving with a real <see cref="RelayRequestHandler"/> (test
    /// attestation) over the capabilities <paramref name="capabilities"/> returns for the node's index.
    /// </summary>
    public static Task<ConnectedRelays> StartAsync(GatewayHost gateway, TestDon don, Func<int, IEnumerable<IExecutableCapability>> capabilities) =>
        StartAsync(gateway, don.Nodes.Select((node, i) =>
        {
            var registry = new CapabilityRegistry();
            foreach (var capability in capabilities(i))
            {
                registry.AddOrReplace(capability);
            }

            var handler = new RelayRequestHandler(registry, new TestAttestation(), Options.Create(new RelayOptions { DonId = TestDon.DonId }), NullLogger<RelayRequestHandler>.Instance);
            return GatewayHandshakeTests.NewConnector(node, gateway.BaseAddress, handler);
        }).ToArray());

    public static async Task<ConnectedRelays> StartAsync(GatewayHost gateway, IReadOnlyList<GatewayConnector> connectors)
    {
        var relays = new ConnectedRelays(connectors);
        await Eventually.TrueAsync(() => gateway.Connections.ConnectedNodes.Count == connectors.Count, $"all {connectors.Count} relay nodes connected");
        return relays;
    }

    /// <summary>Every node of <paramref name="don"/> as an honest relay (recording mock and vault, the test attestation), connected.</summary>
    public static Task<ConnectedRelays> StartHonestAsync(GatewayHost gateway, TestDon don)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        ArgumentNullException.ThrowIfNull(don);
        var connectors = don.Nodes.Select(node =>
        {
            var registry = new Protocol.Capabilities.CapabilityRegistry();
            registry.AddOrReplace(RecordingCapability.Mock());
            registry.AddOrReplace(RecordingCapability.Vault());
            var handler = new RelayRequestHandler(registry, new TestAttestation(), Options.Create(new RelayOptions { DonId = TestDon.DonId }), NullLogger<RelayRequestHandler>.Instance);
            return Gateway.GatewayHandshakeTests.NewConnector(node, gateway.BaseAddress, handler);
        }).ToArray();
        return StartAsync(gateway, connectors);
    }

    /// <summary>Stops relay node <paramref name="index"/>'s connector (its session ends).</summary>
    public Task StopAsync(int index) => _stops[index].CancelAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var stop in _stops)
        {
            await stop.CancelAsync();
        }

        await Task.WhenAll(_runs).WaitAsync(TimeSpan.FromSeconds(10));
        foreach (var stop in _stops)
        {
            stop.Dispose();
        }
    }
}
