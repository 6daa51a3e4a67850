using System.Net;
using System.Net.WebSockets;
using CreAspire.Gateway.Connections;
using CreAspire.Gateway.Tests.Support;
using CreAspire.Protocol.Gateway;
using CreAspire.Protocol.Identity;
using CreAspire.RelayNode.Connector;
using CreAspire.RelayNode.Relay;
using CreAspire.Protocol.JsonRpc;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreAspire.Gateway.Tests.Gateway;

public sealed class GatewayHandshakeTests : IAsyncLifetime
{
    private readonly TestDon _don = new();
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayHost.StartAsync(_don);

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public void Auth_header_has_the_original_layout_and_recovers_its_signer()
    {
        var node = _don.Nodes[0];
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
        var header = GatewayHandshake.BuildAuthHeader(node.Key, "relay", "gateway-node-0", now);

        Assert.Equal(4 + 64 + 128 + 65, header.Length);
        Assert.Equal(new byte[] { 0x65, 0x53, 0xf1, 0x00 }, header[..4]);
        var parsed = GatewayHandshake.ParseAuthHeader(header);
        Assert.Equal(new NodeAuthHeader(1_700_000_000, "relay", "gateway-node-0", node.Address), parsed);
    }

    [Fact]
    public async Task Gateway_accepts_a_DON_member_that_signs_header_and_challenge()
    {
        using var socket = await RawNodeClient.ConnectAsync(_gateway.NodeEndpoint, _don.Nodes[0].Key);

        await Eventually.TrueAsync(() => _gateway.Connections.ConnectedNodes.Contains(_don.Nodes[0].Address), "node 0 registered");
    }

    [Fact]
    public async Task Gateway_rejects_a_header_whose_signature_was_tampered()
    {
        var ex = await Assert.ThrowsAsync<WebSocketException>(() => RawNodeClient.ConnectAsync(
            _gateway.NodeEndpoint, _don.Nodes[0].Key, tamperHeader: h => { h[^10] ^= 0xff; return h; }));

        Assert.Contains("401", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_gateway.Connections.ConnectedNodes);
    }

    [Fact]
    public async Task Gateway_rejects_a_challenge_signed_by_another_key()
    {
        using var socket = await RawNodeClient.ConnectAsync(_gateway.NodeEndpoint, _don.Nodes[0].Key, challengeKey: _don.Nodes[1].Key);

        var reason = await RawNodeClient.WaitForCloseAsync(socket);

        Assert.Contains("challenge was signed by", reason, StringComparison.Ordinal);
        Assert.Empty(_gateway.Connections.ConnectedNodes);
    }

    [Fact]
    public async Task Gateway_rejects_a_signer_outside_the_DON()
    {
        var ex = await Assert.ThrowsAsync<WebSocketException>(() => RawNodeClient.ConnectAsync(_gateway.NodeEndpoint, TestDon.Outsider.Key));

        Assert.Contains("401", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_gateway.Connections.ConnectedNodes);
    }

    [Fact]
    public async Task Gateway_rejects_a_stale_timestamp()
    {
        var ex = await Assert.ThrowsAsync<WebSocketException>(() => RawNodeClient.ConnectAsync(
            _gateway.NodeEndpoint, _don.Nodes[0].Key, timestamp: DateTimeOffset.UtcNow.AddSeconds(-30)));

        Assert.Contains("401", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_rejects_a_header_naming_another_gateway()
    {
        var ex = await Assert.ThrowsAsync<WebSocketException>(() => RawNodeClient.ConnectAsync(
            _gateway.NodeEndpoint, _don.Nodes[0].Key, gatewayId: "gateway-node-9"));

        Assert.Contains("401", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gateway_rejects_a_header_naming_another_DON()
    {
        var ex = await Assert.ThrowsAsync<WebSocketException>(() => RawNodeClient.ConnectAsync(
            _gateway.NodeEndpoint, _don.Nodes[0].Key, donId: "workflow"));

        Assert.Contains("401", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejection_reason_names_the_failed_rule()
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new UriBuilder(_gateway.NodeEndpoint) { Scheme = "http" }.Uri);
        request.Headers.Add("Connection", "Upgrade");
        request.Headers.Add("Upgrade", "websocket");
        request.Headers.Add("Sec-WebSocket-Version", "13");
        request.Headers.Add("Sec-WebSocket-Key", Convert.ToBase64String(new byte[16]));
        request.Headers.TryAddWithoutValidation("Authorization", Convert.ToBase64String(
            GatewayHandshake.BuildAuthHeader(TestDon.Outsider.Key, TestDon.DonName, "gateway-node-0", DateTimeOffset.UtcNow)));

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains($"NotDonMember): signer {TestDon.Outsider.Address} is not a member of DON 7", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reconnecting_node_replaces_its_old_connection()
    {
        var key = _don.Nodes[2].Key;
        using var first = await RawNodeClient.ConnectAsync(_gateway.NodeEndpoint, key);
        await Eventually.TrueAsync(() => _gateway.Connections.ConnectedNodes.Count == 1, "first connection registered");

        using var second = await RawNodeClient.ConnectAsync(_gateway.NodeEndpoint, key);

        await RawNodeClient.WaitForCloseAsync(first);
        Assert.NotEqual(WebSocketState.Open, first.State);
        Assert.Equal(WebSocketState.Open, second.State);
        Assert.Equal([_don.Nodes[2].Address], _gateway.Connections.ConnectedNodes);
    }

    [Fact]
    public async Task Connector_redials_after_its_connection_is_taken_over()
    {
        var node = _don.Nodes[3];
        var connector = NewConnector(node, _gateway.BaseAddress);
        using var stop = new CancellationTokenSource();
        var run = connector.RunAsync(stop.Token);
        await Eventually.TrueAsync(() => connector.SessionCount == 1, "connector's first session");

        // Another connection with the node's key replaces the connector's; the connector notices and redials.
        using var intruder = await RawNodeClient.ConnectAsync(_gateway.NodeEndpoint, node.Key);

        await Eventually.TrueAsync(() => connector.SessionCount >= 2 && connector.IsConnected, "connector's second session");
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Connector_of_a_non_member_never_establishes_a_session()
    {
        var connector = NewConnector(TestDon.Outsider, _gateway.BaseAddress);
        using var stop = new CancellationTokenSource();
        var run = connector.RunAsync(stop.Token);

        await Eventually.TrueAsync(() => connector.LastError is not null, "the connector's first refused attempt");

        Assert.Contains("HTTP 401", connector.LastError, StringComparison.Ordinal);
        Assert.Equal(0, connector.SessionCount);
        Assert.DoesNotContain(TestDon.Outsider.Address, _gateway.Connections.ConnectedNodes);
        await stop.CancelAsync();
        await run.WaitAsync(TimeSpan.FromSeconds(10));
    }

    internal static GatewayConnector NewConnector(NodeIdentity node, Uri gateway, IGatewayRequestHandler? handler = null) => new(
        new GatewayConnectorOptions { GatewayUrl = gateway, DonId = TestDon.DonName, MinReconnectDelay = TimeSpan.FromMilliseconds(50), MaxReconnectDelay = TimeSpan.FromMilliseconds(500), HeartbeatInterval = TimeSpan.FromSeconds(5) },
        node,
        handler ?? new EchoHandler(),
        TimeProvider.System,
        NullLogger<GatewayConnector>.Instance);

    private sealed class EchoHandler : IGatewayRequestHandler
    {
        public Task<JsonRpcResponse> HandleAsync(JsonRpcRequest request, CancellationToken cancellationToken) =>
            Task.FromResult(JsonRpcResponse.Success(request.Id, request.Method, new { echo = request.Id }));
    }
}
