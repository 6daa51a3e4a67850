using CreAspire.Gateway.Connections;
using CreAspire.Gateway.Relay;
using CreAspire.Gateway.Routing;
using CreAspire.Gateway.Tests.Support;
using CreAspire.Gateway.Topology;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CreAspire.Gateway.Tests.Gateway;

// Every test: N=4 relay nodes, F=1 ⇒ 2F+1 = 3 identical responses complete a request.
public sealed class ConfidentialRelayHandlerTests : IDisposable
{
    private readonly TestDon _don = new();
    private readonly FakeNodeConnections _connections = new();
    private readonly FakeTimeProvider _time = new(DateTimeOffset.Parse("2026-11-23T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly ConfidentialRelayHandler _handler;

    public ConfidentialRelayHandlerTests()
    {
        _handler = NewHandler(_don, _connections, _time);
    }

    public void Dispose() => _handler.Dispose();

    internal static ConfidentialRelayHandler NewHandler(TestDon don, INodeConnections connections, TimeProvider time, ConfidentialRelayOptions? options = null) => new(
        connections,
        new RelayDonResolver(don.Topology, Options.Create(new GatewayOptions { DonId = TestDon.DonId })),
        Options.Create(options ?? new ConfidentialRelayOptions { PerNodeRatePerSecond = 100_000, GlobalRatePerSecond = 100_000 }),
        time,
        NullLogger<ConfidentialRelayHandler>.Instance);

    internal static JsonRpcRequest Request(string id, string method = RelayMethods.CapabilityExecute) =>
        new() { Id = id, Method = method, Params = System.Text.Json.JsonSerializer.SerializeToElement(new { workflow_id = "wf" }) };

    internal static JsonRpcResponse Answer(JsonRpcRequest request, string payload) =>
        JsonRpcResponse.Success(request.Id, request.Method, new CapabilityResponseResult { Payload = payload });

    [Fact]
    public async Task Gateway_returns_when_2F_plus_1_relays_agree_and_not_before()
    {
        var request = Request("r-1");
        var pending = _handler.HandleUserRequestAsync(request, CancellationToken.None);
        Assert.Equal(4, _connections.SentCount);

        Assert.Equal(NodeMessageOutcome.Accepted, _handler.HandleNodeMessage(Answer(request, "ok"), _don.Addresses[0]));
        Assert.Equal(NodeMessageOutcome.Accepted, _handler.HandleNodeMessage(Answer(request, "ok"), _don.Addresses[1]));
        Assert.False(pending.IsCompleted);
        Assert.Equal(NodeMessageOutcome.CompletedRequest, _handler.HandleNodeMessage(Answer(request, "ok"), _don.Addresses[2]));

        var response = await pending.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(200, response.HttpStatus);
        Assert.Equal(CanonicalJson.Digest(Answer(request, "ok")), CanonicalJson.Digest(response.Response));
        Assert.Equal(NodeMessageOutcome.UnknownRequest, _handler.HandleNodeMessage(Answer(request, "ok"), _don.Addresses[3]));
        Assert.Equal(0, _handler.ActiveRequestCount);
    }

    /// <summary>Found by GatewayNodeFuzzTests: <c>"id": null</c> from a node threw ArgumentNullException out of HandleNodeMessage.</summary>
    [Fact]
    public void A_node_response_without_an_id_is_dropped_as_unknown()
    {
        var response = System.Text.Json.JsonSerializer.Deserialize<JsonRpcResponse>("""{"jsonrpc":"2.0","id":null,"method":"confidential.capability.execute","result":{}}""")!;

        Assert.Equal(NodeMessageOutcome.UnknownRequest, _handler.HandleNodeMessage(response, _don.Addresses[0]));
    }

    /// <summary>
    /// Found by GatewayNodeFuzzTests: a result holding a lone surrogate escape cannot be canonicalized, and the digest threw
    /// out of HandleNodeMessage. It cannot vote: dropped, and the honest 2F+1 still answer.
    /// </summary>
    [Fact]
    public async Task A_node_response_that_cannot_be_canonicalized_is_dropped_and_the_honest_quorum_answers()
    {
        var request = Request("r-surrogate");
        var pending = _handler.HandleUserRequestAsync(request, CancellationToken.None);
        var broken = Answer(request, "ok") with { Result = System.Text.Json.JsonDocument.Parse("""{"payload":"\ud800"}""").RootElement };

        Assert.Equal(NodeMessageOutcome.Undecodable, _handler.HandleNodeMessage(broken, _don.Addresses[0]));
        _handler.HandleNodeMessage(Answer(request, "ok"), _don.Addresses[1]);
        _handler.HandleNodeMessage(Answer(request, "ok"), _don.Addresses[2]);
        _handler.HandleNodeMessage(Answer(request, "ok"), _don.Addresses[3]);

        var response = await pending.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("ok", response.Response.Result!.Value.GetProperty("payload").GetString());
    }

    [Fact]
    public async Task One_wrong_node_does_not_prevent_an_answer()
    {
        var request = Request("r-wrong");
        var pending = _handler.HandleUserRequestAsync(request, CancellationToken.None);

        _handler.HandleNodeMessage(Answer(request, "ok"), _don.Addresses[0]);
        _handler.HandleNodeMessage(Answer(request, "forged"), _don.Addresses[1]);
        _handler.HandleNodeMessage(Answer(request, "ok"), _don.Addresses[2]);
        Assert.False(pending.IsCompleted);
        _handler.HandleNodeMessage(Answer(request, "ok"), _don.Addresses[3]);

        var response = await pending.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("ok", response.Response.Result!.Value.GetProperty("payload").GetString());
    }

    [Fact]
    public async Task One_silent_node_does_not_prevent_an_answer()
    {
        var request = Request("r-silent");
        var pending = _handler.HandleUserRequestAsync(request, CancellationToken.None);

        foreach (var node in _don.Addresses.Skip(1))
        {
            _handler.HandleNodeMessage(Answer(request, "ok"), node);
        }

        Assert.Equal(200, (await pending.WaitAsync(TimeSpan.FromSeconds(5))).HttpStatus);
    }

    [Fact]
    public async Task One_unreachable_node_does_not_prevent_an_answer()
    {
        _connections.Disconnected.Add(_don.Addresses[0]);
        var request = Request("r-unreachable");
        var pending = _handler.HandleUserRequestAsync(request, CancellationToken.None);

        foreach (var node in _don.Addresses.Skip(1))
        {
            _handler.HandleNodeMessage(Answer(request, "ok"), node);
        }

        Assert.Equal(200, (await pending.WaitAsync(TimeSpan.FromSeconds(5))).HttpStatus);
    }

    [Fact]
    public async Task Two_wrong_nodes_make_quorum_unobtainable_at_once_without_waiting_for_the_timeout()
    {
        // After 2 "ok" and 2 "bad": largest group 2 + 0 outstanding < 3.
        var request = Request("r-split");
        var pending = _handler.HandleUserRequestAsync(request, CancellationToken.None);

        _handler.HandleNodeMessage(Answer(request, "ok"), _don.Addresses[0]);
        _handler.HandleNodeMessage(Answer(request, "bad"), _don.Addresses[1]);
        _handler.HandleNodeMessage(Answer(request, "ok"), _don.Addresses[2]);
        Assert.False(pending.IsCompleted);
        Assert.Equal(NodeMessageOutcome.CompletedRequest, _handler.HandleNodeMessage(Answer(request, "bad"), _don.Addresses[3]));

        // The fake clock never moved: the answer cannot have come from expiry.
        var response = await pending.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(JsonRpcErrorCodes.Internal, response.Response.Error!.Code);
        Assert.Equal("quorum unobtainable: requiredQuorum=3, maxShaToCount=2, remainingResponses=0", response.Response.Error.Message);
        Assert.Equal(500, response.HttpStatus);
    }

    [Fact]
    public async Task Three_different_answers_fail_as_soon_as_the_third_arrives()
    {
        // 1 + 1 + 1 distinct, 1 outstanding: largest group 1 + 1 < 3.
        var request = Request("r-chaos");
        var pending = _handler.HandleUserRequestAsync(request, CancellationToken.None);

        _handler.HandleNodeMessage(Answer(request, "a"), _don.Addresses[0]);
        _handler.HandleNodeMessage(Answer(request, "b"), _don.Addresses[1]);
        _handler.HandleNodeMessage(Answer(request, "c"), _don.Addresses[2]);

        var response = await pending.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("quorum unobtainable: requiredQuorum=3, maxShaToCount=1, remainingResponses=1", response.Response.Error!.Message);
    }

    [Fact]
    public async Task All_silent_nodes_end_in_a_timeout_error()
    {
        var request = Request("r-timeout");
        var pending = _handler.HandleUserRequestAsync(request, CancellationToken.None);
        _handler.HandleNodeMessage(Answer(request, "ok"), _don.Addresses[0]);

        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(pending.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(2));

        var response = await pending.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(JsonRpcErrorCodes.RequestTimeout, response.Response.Error!.Code);
        Assert.Equal("request expired: got 1/4 responses", response.Response.Error.Message);
        Assert.Equal(504, response.HttpStatus);
        Assert.Equal(0, _handler.ActiveRequestCount);
    }

    [Fact]
    public async Task Too_few_reachable_nodes_fail_the_request_at_fan_out()
    {
        _connections.Disconnected.UnionWith(_don.Addresses.Take(2));

        var response = await _handler.HandleUserRequestAsync(Request("r-down"), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal("failed to forward user request to nodes: 2 of 4 sends succeeded, 2F+1=3 needed", response.Response.Error!.Message);
        Assert.Equal(0, _handler.ActiveRequestCount);
    }

    [Fact]
    public async Task Duplicate_request_id_is_a_conflict()
    {
        var first = _handler.HandleUserRequestAsync(Request("same"), CancellationToken.None);

        var second = await _handler.HandleUserRequestAsync(Request("same"), CancellationToken.None);

        Assert.Equal(JsonRpcErrorCodes.Conflict, second.Response.Error!.Code);
        Assert.Equal("request ID already exists: same", second.Response.Error.Message);
        Assert.Equal(409, second.HttpStatus);
        Assert.False(first.IsCompleted);
    }

    [Fact]
    public async Task Unknown_method_is_method_not_found()
    {
        var response = await _handler.HandleUserRequestAsync(Request("m", "confidential.nope"), CancellationToken.None);

        Assert.Equal(JsonRpcErrorCodes.MethodNotFound, response.Response.Error!.Code);
        Assert.Equal(400, response.HttpStatus);
        Assert.Equal(0, _connections.SentCount);
    }

    [Fact]
    public void Responses_from_unknown_nodes_duplicates_and_unknown_ids_are_dropped()
    {
        var request = Request("r-drops");
        _ = _handler.HandleUserRequestAsync(request, CancellationToken.None);

        Assert.Equal(NodeMessageOutcome.UnknownNode, _handler.HandleNodeMessage(Answer(request, "ok"), TestDon.Outsider.Address));
        Assert.Equal(NodeMessageOutcome.Accepted, _handler.HandleNodeMessage(Answer(request, "ok"), _don.Addresses[0]));
        Assert.Equal(NodeMessageOutcome.DuplicateResponse, _handler.HandleNodeMessage(Answer(request, "ok"), _don.Addresses[0]));
        Assert.Equal(NodeMessageOutcome.UnknownRequest, _handler.HandleNodeMessage(Answer(Request("nobody"), "ok"), _don.Addresses[1]));
    }

    [Fact]
    public async Task A_node_over_its_rate_limit_has_unsolicited_messages_dropped_but_its_owed_answers_accepted()
    {
        using var handler = NewHandler(_don, _connections, _time, new ConfidentialRelayOptions { PerNodeRatePerSecond = 1, GlobalRatePerSecond = 100 });
        var first = Request("rl-1");
        var second = Request("rl-2");
        var pendingFirst = handler.HandleUserRequestAsync(first, CancellationToken.None);
        var pendingSecond = handler.HandleUserRequestAsync(second, CancellationToken.None);
        var chatty = _don.Addresses[0];

        // Messages answering nothing outstanding use up the node's one token, then are dropped as rate-limited.
        Assert.Equal(NodeMessageOutcome.UnknownRequest, handler.HandleNodeMessage(Answer(Request("nobody-1"), "ok"), chatty));
        Assert.Equal(NodeMessageOutcome.RateLimited, handler.HandleNodeMessage(Answer(Request("nobody-2"), "ok"), chatty));

        // The node's first answers to requests it was sent are still counted; repeating one is not.
        Assert.Equal(NodeMessageOutcome.Accepted, handler.HandleNodeMessage(Answer(first, "ok"), chatty));
        Assert.Equal(NodeMessageOutcome.RateLimited, handler.HandleNodeMessage(Answer(first, "ok"), chatty));
        Assert.Equal(NodeMessageOutcome.Accepted, handler.HandleNodeMessage(Answer(second, "ok"), chatty));
        foreach (var node in _don.Addresses.Skip(1).Take(2))
        {
            handler.HandleNodeMessage(Answer(first, "ok"), node);
            handler.HandleNodeMessage(Answer(second, "ok"), node);
        }

        Assert.Equal(200, (await pendingFirst.WaitAsync(TimeSpan.FromSeconds(5))).HttpStatus);
        Assert.Equal(200, (await pendingSecond.WaitAsync(TimeSpan.FromSeconds(5))).HttpStatus);
        Assert.Equal(0, handler.ActiveRequestCount);
    }

    [Fact]
    public async Task Nodes_whose_connection_ends_before_they_answer_no_longer_count_as_outstanding()
    {
        var request = Request("r-conn-lost");
        var pending = _handler.HandleUserRequestAsync(request, CancellationToken.None);
        _handler.HandleNodeMessage(Answer(request, "ok"), _don.Addresses[0]);
        _handler.HandleNodeMessage(Answer(request, "ok"), _don.Addresses[1]);

        _connections.Close(_don.Addresses[0]); // answered already: changes nothing
        _connections.Close(_don.Addresses[2]);
        Assert.False(pending.IsCompleted); // 2 agreeing + node 3 outstanding can still make 3
        _connections.Close(_don.Addresses[3]);

        var response = await pending.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("quorum unobtainable: requiredQuorum=3, maxShaToCount=2, remainingResponses=0", response.Response.Error!.Message);
        Assert.Equal(0, _handler.ActiveRequestCount);
    }

    [Fact]
    public async Task A_connection_that_ends_before_its_send_is_recorded_still_stops_the_node_counting_as_outstanding()
    {
        // Under load the node can receive the request and its link end (ConnectionClosed raised) before the gateway's
        // send continuation records which connection the request went out on; that close used to be missed, so the
        // request waited for expiry (GatewayNodeLossTests timing out). Here the close happens inside the send itself.
        _connections.OnSend = (node, _) =>
        {
            if (node == _don.Addresses[2] || node == _don.Addresses[3])
            {
                _connections.Close(node);
            }
        };
        var request = Request("r-closed-during-send");

        var pending = _handler.HandleUserRequestAsync(request, CancellationToken.None);

        // The fake clock never moves: only the lost connections can complete the request.
        var response = await pending.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("quorum unobtainable: requiredQuorum=3, maxShaToCount=0, remainingResponses=2", response.Response.Error!.Message);
        Assert.Equal(0, _handler.ActiveRequestCount);
    }

    [Fact]
    public async Task Agreed_node_error_is_returned_with_its_own_status()
    {
        var request = Request("r-node-error");
        var pending = _handler.HandleUserRequestAsync(request, CancellationToken.None);

        foreach (var node in _don.Addresses.Take(3))
        {
            _handler.HandleNodeMessage(JsonRpcResponse.Failure(request.Id, request.Method, JsonRpcErrorCodes.InvalidParams, "missing attestation"), node);
        }

        var response = await pending.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal("missing attestation", response.Response.Error!.Message);
        Assert.Equal(400, response.HttpStatus);
    }

    [Fact]
    public async Task Caller_cancellation_completes_and_cleans_up_the_request()
    {
        using var cancel = new CancellationTokenSource();
        var pending = _handler.HandleUserRequestAsync(Request("r-cancel"), cancel.Token);

        await cancel.CancelAsync();

        Assert.Equal("request cancelled by the caller", (await pending.WaitAsync(TimeSpan.FromSeconds(5))).Response.Error!.Message);
        Assert.Equal(0, _handler.ActiveRequestCount);
    }
}
