using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using CreAspire.Don.Launcher;
using CreAspire.Gateway.Connections;
using CreAspire.Gateway.Extensions;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Topology;
using CreAspire.RelayNode.Connector;
using CreAspire.RelayNode.Relay;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CreAspire.Gateway.Bench;

/// <summary>
/// A gateway (Kestrel), 4 relay nodes connected to it over real WebSockets (F=1) and, unless the capability runs in
/// process, a capability DON of 4 Kestrel nodes the relay nodes call over the DON transport; torn down on dispose.
/// </summary>
internal sealed class RelaySystem : IAsyncDisposable
{
    public const uint RelayDonId = 2;
    public const uint CapabilityDonId = 3;

    private readonly List<WebApplication> _apps = [];
    private readonly List<ServiceProvider> _relayProviders = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connectors = [];

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<RelaySystem> StartAsync(bool inProcessCapability)
    {
        var system = new RelaySystem();
        try
        {
            await system.StartCoreAsync(inProcessCapability);
            return system;
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    private async Task StartCoreAsync(bool inProcessCapability)
    {
        var relays = Enumerable.Range(0, 4).Select(i => NodeIdentity.Derive($"relay-{i}", "bench")).ToArray();
        var capabilityNodes = Enumerable.Range(0, 4).Select(i => NodeIdentity.Derive($"cap-{i}", "bench")).ToArray();
        var topology = new StaticTopologySource(new RegistrySnapshot(
            [
                new DonInfo(RelayDonId, "relay", 1, ["bench"], true, false, [.. relays.Select(n => n.Address)], []),
                new DonInfo(CapabilityDonId, "capability", 1, ["bench"], true, false, [.. capabilityNodes.Select(n => n.Address)], [new DonCapabilityConfig(CapabilityIds.Mock, [])]),
            ], [], [CapabilityIds.Mock]));
        var peers = new PeerDirectory(capabilityNodes.ToDictionary(n => n.Address, _ => new Uri($"http://127.0.0.1:{FreePort()}")));
        var donSettings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Don:Launcher:RefreshInterval"] = "00:10:00" }).Build();

        await StartGatewayAsync(topology);
        if (!inProcessCapability)
        {
            foreach (var node in capabilityNodes)
            {
                await StartCapabilityNodeAsync(node, peers, topology, donSettings);
            }
        }

        foreach (var relay in relays)
        {
            var registry = inProcessCapability ? InProcessRegistry() : await DonRegistryAsync(relay, peers, topology, donSettings);
            var handler = new RelayRequestHandler(registry, new TrustAllAttestationVerifier(), Options.Create(new RelayOptions { DonId = RelayDonId }), NullLogger<RelayRequestHandler>.Instance);
            var connector = new GatewayConnector(new GatewayConnectorOptions { GatewayUrl = BaseAddress, DonId = "relay" }, relay, handler, TimeProvider.System, NullLogger<GatewayConnector>.Instance);
            _connectors.Add(connector.RunAsync(_stop.Token));
        }

        var connections = _apps[0].Services.GetRequiredService<NodeConnectionManager>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (connections.ConnectedNodes.Count < relays.Length)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"only {connections.ConnectedNodes.Count} of {relays.Length} relay nodes connected to the gateway within 30 s");
            }

            await Task.Delay(20);
        }
    }

    private async Task StartGatewayAsync(ITopologySource topology)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:DonId"] = RelayDonId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        builder.Services.AddSingleton(topology);
        builder.AddGateway();
        var app = builder.Build();
        app.MapGateway();
        await app.StartAsync();
        _apps.Add(app);
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    /// <summary>A capability node as bench/Don runs one: Kestrel serving the DON transport and an in-memory capability.</summary>
    private async Task StartCapabilityNodeAsync(NodeIdentity node, PeerDirectory peers, ITopologySource topology, IConfiguration settings)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(peers.Resolve(node.Address).ToString());
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(node).AddSingleton(peers).AddSingleton(topology);
        builder.Services.AddCapabilityLauncher(settings).AddLocalCapability<HashEcho>();
        var app = builder.Build();
        app.MapDonTransport();
        await app.StartAsync();
        _apps.Add(app);
        await app.Services.GetRequiredService<CapabilityLauncher>().Ready.WaitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>The relay node's capability registry as its launcher fills it: remote clients of the capability DON.</summary>
    private async Task<ICapabilityRegistry> DonRegistryAsync(NodeIdentity relay, PeerDirectory peers, ITopologySource topology, IConfiguration settings)
    {
        var services = new ServiceCollection().AddLogging().AddSingleton(relay).AddSingleton(peers).AddSingleton(topology);
        services.AddCapabilityLauncher(settings);
        var provider = services.BuildServiceProvider();
        _relayProviders.Add(provider);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await provider.GetRequiredService<CapabilityLauncher>().RefreshAsync(timeout.Token);
        var registry = provider.GetRequiredService<ICapabilityRegistry>();
        return registry.TryGet(CapabilityIds.Mock, out _)
            ? registry
            : throw new InvalidOperationException($"relay {relay.Address}: the launcher registered no {CapabilityIds.Mock} client for the capability DON");
    }

    private static CapabilityRegistry InProcessRegistry()
    {
        var registry = new CapabilityRegistry();
        registry.AddOrReplace(new HashEcho());
        return registry;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_connectors).WaitAsync(TimeSpan.FromSeconds(10));
        foreach (var app in _apps)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }

        foreach (var provider in _relayProviders)
        {
            await provider.DisposeAsync();
        }

        _stop.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>An in-memory capability (answer = sha256 of the input, deterministic on every node), as in bench/Don.</summary>
    internal sealed class HashEcho : IExecutableCapability
    {
        public string Id => CapabilityIds.Mock;

        public Task<CapabilityResponse> ExecuteAsync(CapabilityCall call, CancellationToken cancellationToken) =>
            Task.FromResult(new CapabilityResponse { Payload = Any.Pack(new BytesValue { Value = ByteString.CopyFrom(SHA256.HashData(call.Payload!.Value.Span)) }) });
    }
}
