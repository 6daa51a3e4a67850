using CreAspire.Gateway.Connections;
using CreAspire.Gateway.Extensions;
using CreAspire.Gateway.Relay;
using CreAspire.Protocol.Topology;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CreAspire.Gateway.Tests.Support;

/// <summary>A real gateway (Kestrel on a free loopback port) wired exactly as Program.cs does, with a fixed topology.</summary>
internal sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    public Uri NodeEndpoint => new UriBuilder(BaseAddress) { Scheme = "ws", Path = "/node" }.Uri;

    public NodeConnectionManager Connections => _app.Services.GetRequiredService<NodeConnectionManager>();

    public ConfidentialRelayHandler RelayHandler => _app.Services.GetRequiredService<ConfidentialRelayHandler>();

    public static async Task<GatewayHost> StartAsync(TestDon don, IDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (Environment.GetEnvironmentVariable("GATEWAY_TEST_LOGS") == "1")
        {
            builder.Logging.AddConsole();
        }

        var config = new Dictionary<string, string?>
        {
            ["Gateway:DonName"] = TestDon.DonName,
            ["Gateway:ConfidentialRelay:PerNodeRatePerSecond"] = "100000",
            ["Gateway:ConfidentialRelay:GlobalRatePerSecond"] = "100000",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddSingleton<ITopologySource>(don.Topology);
        builder.AddGateway();
        var app = builder.Build();
        app.MapGateway();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayHost(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(timeout.Token);
        await _app.DisposeAsync();
    }
}
