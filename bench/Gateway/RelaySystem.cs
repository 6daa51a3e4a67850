using CreAspire.Gateway.Extensions;
using CreAspire.Gateway.Connections;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Topology;
using CreAspire.RelayNode.Connector;
using CreAspire.RelayNode.Relay;
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

/// <summary>A gateway and 4 connected relay nodes, torn down on dispose.</summary>
internal sealed class RelaySystem : IAsyncDisposable
{
    private readonly WebApplication _gateway;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _connectors = [];

    private RelaySystem(WebApplication gateway, Uri baseAddress)
    {
        _gateway = gateway;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public static async Task<RelaySystem> StartAsync()
    {
        var nodes = Enumerable.Range(0, 4).Select(i => NodeIdentity.Derive($"relay-{i}", "bench")).ToArray();
        var don = new DonInfo(2, "relay", 1, ["relay"], true, false, nodes.Select(n => n.Address).ToArray(), []);
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Gateway:DonId"] = "2" });
        builder.Services.AddSingleton<ITopologySource>(new StaticTopologySource(new RegistrySnapshot([don], [], [])));
        builder.AddGateway();
        var app = builder.Build();
        app.MapGateway();
        await app.StartAsync();
        var system = new RelaySystem(app, new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()));

        foreach (var node in nodes)
        {
            var registry = new CapabilityRegistry();
            registry.AddOrReplace(new EchoCapability());
            var handler = new RelayRequestHandler(registry, new TrustAllAttestationVerifier(), Options.Create(new RelayOptions { DonId = 2 }), NullLogger<RelayRequestHandler>.Instance);
            var connector = new GatewayConnector(new GatewayConnectorOptions { GatewayUrl = system.BaseAddress, DonId = "relay" }, node, handler, TimeProvider.System, NullLogger<GatewayConnector>.Instance);
            system._connectors.Add(connector.RunAsync(system._stop.Token));
        }

        var connections = app.Services.GetRequiredService<NodeConnectionManager>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (connections.ConnectedNodes.Count < 4)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"only {connections.ConnectedNodes.Count} of 4 relay nodes connected within 30 s");
            }

            await Task.Delay(20);
        }

        return system;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_connectors).WaitAsync(TimeSpan.FromSeconds(10));
        await _gateway.StopAsync();
        await _gateway.DisposeAsync();
        _stop.Dispose();
    }

    /// <summary>Answers with its input, as the mock capability would (deterministic on every node).</summary>
    private sealed class EchoCapability : IExecutableCapability
    {
        public string Id => CapabilityIds.Mock;

        public Task<CapabilityResponse> ExecuteAsync(CapabilityCall call, CancellationToken cancellationToken) =>
            Task.FromResult(new CapabilityResponse { Payload = call.Payload });
    }
}
