using System.Diagnostics;
using System.Net.WebSockets;
using CreAspire.Don.Transport;
using CreAspire.Gateway.Tests.Support;
using CreAspire.Protocol.Gateway;
using CreAspire.Telemetry.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;

namespace CreAspire.Gateway.Tests.Tracing;

// ServiceDefaults' tracing as every service has it, exporting to the in-test receiver: the long-lived WebSocket upgrades
// (the gateway's /node, the DON's /don/v1/session) leave no span, on the server or the client side; a plain request does.
public sealed class WebSocketSpanFilterTests : IAsyncLifetime
{
    private const string Service = "ws-filter-test";
    private OtlpReceiver _receiver = null!;
    private WebApplication _app = null!;
    private Uri _baseUrl = null!;
    private ActivityListener _listener = null!;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<Activity, TaskCompletionSource> _upgradeActivities = new();

    public async Task InitializeAsync()
    {
        _receiver = await OtlpReceiver.StartAsync();
        _app = ServiceDefaultsApp.CreateBuilder(_receiver, Service).Build();
        // The request activity of each upgrade, so the test knows when its span has ended (exported or filtered out).
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.PropagationData,
            ActivityStopped = activity => _upgradeActivities.GetValueOrDefault(activity)?.TrySetResult(),
        };
        ActivitySource.AddActivityListener(_listener);
        _app.UseWebSockets();
        _app.Use(async (context, next) =>
        {
            if (context.WebSockets.IsWebSocketRequest && Activity.Current is { OperationName: "Microsoft.AspNetCore.Hosting.HttpRequestIn" } activity)
            {
                _upgradeActivities[activity] = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            await next(context);
        });
        _app.MapDefaultEndpoints();
        foreach (var path in new[] { GatewayConnectorProtocol.NodePath, DonTransportOptions.SessionPath })
        {
            _app.Map(path, EchoOnceAsync);
        }

        _app.MapGet("/plain", () => "ok");
        await _app.StartAsync();
        _baseUrl = ServiceDefaultsApp.BaseAddress(_app);
    }

    public async Task DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _receiver.DisposeAsync();
        _listener.Dispose();
    }

    [Fact]
    public async Task WebSocket_upgrades_get_no_span_and_plain_requests_do()
    {
        foreach (var path in new[] { GatewayConnectorProtocol.NodePath, DonTransportOptions.SessionPath })
        {
            await EchoAsync(path);
        }

        Assert.Equal(2, _upgradeActivities.Count);
        await Task.WhenAll(_upgradeActivities.Values.Select(t => t.Task)).WaitAsync(TimeSpan.FromSeconds(30));

        using (var http = new HttpClient { BaseAddress = _baseUrl, Timeout = TimeSpan.FromSeconds(30) })
        {
            Assert.Equal("ok", await http.GetStringAsync(new Uri("/plain", UriKind.Relative)));
        }

        // Every span that ended before this point (both upgrade requests have ended) is now exported.
        Assert.True(_app.Services.GetRequiredService<TracerProvider>().ForceFlush(10_000), "the tracer provider did not flush within 10 s");
        var spans = await _receiver.WaitForSpansAsync(
            s => s.Count(x => x.Service == Service && Targets(x, "/plain")) >= 2, "the server and client spans of GET /plain");

        var ours = spans.Where(s => s.Service == Service).ToList();
        Assert.Contains(ours, s => s.Kind == ActivityKind.Server && Targets(s, "/plain"));
        Assert.Contains(ours, s => s.Kind == ActivityKind.Client && Targets(s, "/plain"));
        var upgrades = ours.Where(s => Targets(s, GatewayConnectorProtocol.NodePath) || Targets(s, DonTransportOptions.SessionPath)).ToList();
        Assert.True(upgrades.Count == 0, $"WebSocket upgrade spans were exported: {string.Join(", ", upgrades)}");
    }

    /// <summary>A server span names its path in url.path, a client span its URL in url.full.</summary>
    private static bool Targets(CollectedSpan span, string path) =>
        span.Attribute("url.path") == path || span.Attribute("url.full")?.EndsWith(path, StringComparison.Ordinal) == true;

    private async Task EchoAsync(string path)
    {
        using var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var url = new UriBuilder(new Uri(_baseUrl, path)) { Scheme = "ws" }.Uri;
        await socket.ConnectAsync(url, timeout.Token);
        await socket.SendAsync("ping"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        var buffer = new byte[16];
        var received = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal("ping", System.Text.Encoding.UTF8.GetString(buffer, 0, received.Count));
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
    }

    private static async Task EchoOnceAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[16];
        var received = await socket.ReceiveAsync(buffer, context.RequestAborted);
        await socket.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Text, endOfMessage: true, context.RequestAborted);
        var close = await socket.ReceiveAsync(buffer, context.RequestAborted);
        if (close.MessageType == WebSocketMessageType.Close)
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", context.RequestAborted);
        }
    }
}
