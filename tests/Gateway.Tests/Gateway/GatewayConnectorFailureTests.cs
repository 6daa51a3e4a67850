using System.Net;
using System.Net.Http.Json;
using CreAspire.Gateway.Tests.Relay;
using CreAspire.Gateway.Tests.Support;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CreAspire.RelayNode.Connector;
using CreAspire.RelayNode.Relay;
using Microsoft.Extensions.Logging;

namespace CreAspire.Gateway.Tests.Gateway;

// A real gateway and 4 relay connectors over WebSockets; two relay nodes' handlers throw. The connector serves each
// forwarded request fire-and-forget, so such a failure used to vanish as an unobserved task exception.
public sealed class GatewayConnectorFailureTests : IAsyncLifetime
{
    private readonly TestDon _don = new();
    private ConnectedRelays _relays = null!;
    private readonly List<RecordingLogger<GatewayConnector>> _loggers = [];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayHost.StartAsync(_don, new Dictionary<string, string?>
        {
            // The handler's expiry is swept every CleanupPeriod (1 s), so it lands 2-3 s after the request, plus however
            // late the sweep runs on a loaded machine. The user deadline used to be 3 s: no margin at all, and under load
            // the caller sometimes got the gateway's "handler timeout: no answer within 3s" instead of the expiry error
            // this test is about. The user deadline only has to be beyond the expiry; the test still ends at expiry.
            ["Gateway:ConfidentialRelay:RequestTimeout"] = "00:00:02",
            ["Gateway:UserRequestTimeout"] = "00:00:20",
        });
        var connectors = new List<GatewayConnector>();
        for (var i = 0; i < _don.Nodes.Count; i++)
        {
            IGatewayRequestHandler handler = i < 2 ? new ThrowingHandler() : new AnswerHandler();
            var logger = new RecordingLogger<GatewayConnector>();
            _loggers.Add(logger);
            var connector = new GatewayConnector(
                new GatewayConnectorOptions { GatewayUrl = _gateway.BaseAddress, DonId = TestDon.DonName, HeartbeatInterval = TimeSpan.FromSeconds(5) },
                _don.Nodes[i],
                handler,
                TimeProvider.System,
                logger);
            connectors.Add(connector);
        }

        _relays = await ConnectedRelays.StartAsync(_gateway, connectors);
    }

    public async Task DisposeAsync()
    {
        await _relays.DisposeAsync();
        await _gateway.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task A_relay_handler_failure_is_logged_by_the_connector_and_the_caller_gets_the_gateway_expiry_error()
    {
        var request = RelayRequests.Request("fails-on-two", RelayMethods.CapabilityExecute, RelayRequests.Attested(RelayRequests.CapabilityParams("x")));

        using var response = await _http.PostAsJsonAsync(_gateway.BaseAddress, request, RelayJson.Options);
        var body = await response.Content.ReadFromJsonAsync<JsonRpcResponse>(RelayJson.Options);

        Assert.Equal(HttpStatusCode.GatewayTimeout, response.StatusCode);
        Assert.Equal("request expired: got 2/4 responses", body!.Error!.Message);
        Assert.All(_loggers.Take(2), logger => Assert.Contains(logger.Entries, e =>
            e.Level == LogLevel.Error && e.Message.Contains("fails-on-two", StringComparison.Ordinal) && e.Exception is InvalidOperationException));
        Assert.Equal(0, _gateway.RelayHandler.ActiveRequestCount);
    }

    private sealed class ThrowingHandler : IGatewayRequestHandler
    {
        public Task<JsonRpcResponse> HandleAsync(JsonRpcRequest request, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("handler bug");
    }

    private sealed class AnswerHandler : IGatewayRequestHandler
    {
        public Task<JsonRpcResponse> HandleAsync(JsonRpcRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(JsonRpcResponse.Success(request.Id, request.Method, new { answer = request.Id }));
    }
}
