using System.Net;
using System.Net.Http.Json;
using CreAspire.Gateway.Tests.Relay;
using CreAspire.Gateway.Tests.Support;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CreAspire.RelayNode.Connector;
using CreAspire.RelayNode.Relay;

namespace CreAspire.Gateway.Tests.Gateway;

// A real gateway and 4 relay connectors over WebSockets. Relay nodes 0 and 1 take a request and go away before
// answering; a node's connector drops the session's work when its link ends, so their answers can never come.
public sealed class GatewayNodeLossTests : IAsyncLifetime
{
    private readonly TestDon _don = new();
    private ConnectedRelays _relays = null!;
    private readonly HangingHandler[] _hanging = [new(), new()];
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(40) };
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayHost.StartAsync(_don, new Dictionary<string, string?>
        {
            ["Gateway:ConfidentialRelay:RequestTimeout"] = "00:00:25",
            ["Gateway:UserRequestTimeout"] = "00:00:30",
        });
        var connectors = new List<GatewayConnector>();
        for (var i = 0; i < _don.Nodes.Count; i++)
        {
            IGatewayRequestHandler handler = i < 2 ? _hanging[i] : new AnswerHandler();
            connectors.Add(GatewayHandshakeTests.NewConnector(_don.Nodes[i], _gateway.BaseAddress, handler));
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
    public async Task A_request_fails_fast_with_quorum_unobtainable_when_relay_nodes_owing_its_answer_disconnect()
    {
        var request = RelayRequests.Request("lost-on-two", RelayMethods.CapabilityExecute, RelayRequests.Attested(RelayRequests.CapabilityParams("x")));
        var posting = _http.PostAsJsonAsync(_gateway.BaseAddress, request, RelayJson.Options);
        await Task.WhenAll(_hanging.Select(h => h.Received)).WaitAsync(TimeSpan.FromSeconds(10));

        // Nodes 0 and 1 go away owing the answer: 2 answers at most, 2F+1 = 3 needed; no reason to wait 25 s for expiry.
        await _relays.StopAsync(0);
        await _relays.StopAsync(1);
        using var response = await posting.WaitAsync(TimeSpan.FromSeconds(15));
        var body = await response.Content.ReadFromJsonAsync<JsonRpcResponse>(RelayJson.Options);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.StartsWith("quorum unobtainable: requiredQuorum=3", body!.Error!.Message, StringComparison.Ordinal);
        Assert.Equal(0, _gateway.RelayHandler.ActiveRequestCount);
    }

    /// <summary>Takes the request and never answers (until its session is cancelled).</summary>
    private sealed class HangingHandler : IGatewayRequestHandler
    {
        private readonly TaskCompletionSource _received = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Received => _received.Task;

        public async Task<JsonRpcResponse> HandleAsync(JsonRpcRequest request, CancellationToken cancellationToken)
        {
            _received.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new OperationCanceledException(cancellationToken);
        }
    }

    private sealed class AnswerHandler : IGatewayRequestHandler
    {
        public Task<JsonRpcResponse> HandleAsync(JsonRpcRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(JsonRpcResponse.Success(request.Id, request.Method, new { answer = request.Id }));
    }
}
