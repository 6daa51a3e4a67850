using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using CreAspire.Fuzzing;
using CreAspire.Gateway.Connections;
using CreAspire.Gateway.Routing;
using CreAspire.Gateway.Tests.Support;
using CreAspire.Gateway.Topology;
using CreAspire.Protocol.Gateway;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace CreAspire.Gateway.Tests.Gateway;

/// <summary>
/// What relay nodes send the gateway, mutated: the Authorization header and the challenge signature of the handshake
/// (bytes in, <see cref="GatewayHandshakeException"/> out), node responses to an open request (dropped or counted,
/// never thrown, and the request still completes with the honest 2F+1), and raw frames on a live connection (the
/// gateway keeps serving). N=4 relay nodes, F=1 ⇒ 2F+1 = 3.
/// </summary>
public sealed class GatewayNodeFuzzTests(ITestOutputHelper output)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private readonly TestDon _don = new();

    [Fact]
    public async Task Mutated_auth_headers_are_refused_with_a_handshake_failure()
    {
        var authenticator = Authenticator();
        var valid = GatewayHandshake.BuildAuthHeader(_don.Nodes[0].Key, TestDon.DonName, GatewayConnectorProtocol.DefaultGatewayId, Now);
        var binary = Mutations.BitFlips(valid).Concat(Mutations.Truncations(valid)).Concat(Mutations.Random(valid, 400, seed: 1810))
            .Select(m => m with { Bytes = Encoding.ASCII.GetBytes(Convert.ToBase64String(m.Bytes)) });
        var text = Mutations.Noise(200, 400, seed: 1811).Concat(Mutations.Random(Encoding.ASCII.GetBytes(Convert.ToBase64String(valid)), 300, seed: 1812));

        // Accepted only when it is the valid header after all (an edit that changed nothing, whitespace base64 skips).
        var tally = await FuzzTally.RunAsync("gateway: node auth headers", binary.Concat(text), input => FuzzResult.OfAsync<GatewayHandshakeException, NodeAuthHeader>(
            () => authenticator.AuthenticateHeaderAsync(Encoding.Latin1.GetString(input.Bytes), CancellationToken.None).AsTask(),
            ex => ex.Failure.ToString(),
            _ => Convert.FromBase64String(Encoding.Latin1.GetString(input.Bytes)).AsSpan().SequenceEqual(valid) ? FuzzResult.Accepted : FuzzResult.Wrong("accepted a header that is not the signed one")),
            concurrency: Environment.ProcessorCount);

        tally.Report(output).AssertClean();
        Assert.Equal(_don.Nodes[0].Address, (await authenticator.AuthenticateHeaderAsync(Convert.ToBase64String(valid), CancellationToken.None)).Signer);
    }

    [Fact]
    public void Mutated_challenge_signatures_are_refused_with_a_handshake_failure()
    {
        var authenticator = Authenticator();
        var challenge = GatewayHandshake.BuildChallenge(GatewayConnectorProtocol.DefaultGatewayId, Now, "fuzz-chall"u8); // fixed, so every run signs the same bytes
        var valid = GatewayHandshake.SignChallenge(_don.Nodes[0].Key, challenge);
        var inputs = Mutations.BitFlips(valid).Concat(Mutations.Truncations(valid)).Concat(Mutations.Random(valid, 800, seed: 1813)).Concat(Mutations.Noise(200, 130, seed: 1814));

        var tally = FuzzTally.Run("gateway: node challenge signatures", inputs, input =>
        {
            var result = FuzzResult.Of<GatewayHandshakeException>(
                () => NodeHandshakeAuthenticator.VerifyChallengeResponse(challenge, input.Bytes, _don.Nodes[0].Address), ex => ex.Failure.ToString());

            // Accepted only when the edit changed nothing (a byte swapped with an equal one).
            return result.Kind != FuzzResultKind.Accepted || input.Bytes.AsSpan().SequenceEqual(valid) ? result : FuzzResult.Wrong($"accepted a different signature {Convert.ToHexString(input.Bytes)}");
        }, parallel: true);

        tally.Report(output).AssertClean();
        NodeHandshakeAuthenticator.VerifyChallengeResponse(challenge, valid, _don.Nodes[0].Address);
    }

    [Fact]
    public async Task Mutated_node_responses_are_dropped_or_counted_and_the_honest_quorum_still_answers()
    {
        var connections = new FakeNodeConnections();
        using var handler = ConfidentialRelayHandlerTests.NewHandler(_don, connections, new FakeTimeProvider(Now));
        var request = ConfidentialRelayHandlerTests.Request("n-fuzz");
        var honest = ConfidentialRelayHandlerTests.Answer(request, "ok");
        var valid = JsonSerializer.Serialize(honest, RelayJson.Options);
        var inputs = JsonMutations.Systematic(valid).Concat(JsonMutations.Random(valid, 1500, seed: 1815)).Concat(Mutations.Random(Encoding.UTF8.GetBytes(valid), 300, seed: 1816));
        var serializer = new JsonSerializerOptions(JsonSerializerDefaults.General); // as the connection's SystemTextJsonFormatter reads arguments

        // One request at a time: node 0 sends the mutant, nodes 1..3 the honest answer, which must complete the request.
        var tally = await FuzzTally.RunAsync("gateway: node responses", inputs, async input =>
        {
            JsonRpcResponse? response;
            try
            {
                response = JsonSerializer.Deserialize<JsonRpcResponse>(input.Bytes, serializer);
            }
            catch (JsonException)
            {
                // StreamJsonRpc cannot bind the argument and drops the notification; nothing reaches the handler.
                return FuzzResult.Refused("undecodable (dropped by the connection)", "argument does not bind");
            }

            if (response is null)
            {
                return FuzzResult.Refused("null (dropped by the connection)", "null response");
            }

            var pending = handler.HandleUserRequestAsync(request, CancellationToken.None);
            NodeMessageOutcome outcome;
            try
            {
                outcome = handler.HandleNodeMessage(response, _don.Addresses[0]);
            }
#pragma warning disable CA1031 // any exception is a finding
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return FuzzResult.Escaped(ex);
            }
            finally
            {
                for (var node = 1; node < _don.Addresses.Count && !pending.IsCompleted; node++)
                {
                    handler.HandleNodeMessage(honest, _don.Addresses[node]);
                }
            }

            var answer = await pending.WaitAsync(TimeSpan.FromSeconds(10));
            return answer.HttpStatus == 200 && CanonicalJson.Digest(answer.Response) == CanonicalJson.Digest(honest)
                ? FuzzResult.Refused(outcome.ToString(), "node message handled")
                : FuzzResult.Wrong($"the honest quorum did not answer: {answer.Response.Error?.Message}");
        });

        tally.Report(output).AssertClean();
        Assert.Equal(0, handler.ActiveRequestCount);
    }

    [Fact]
    public async Task Mutated_frames_on_a_live_node_connection_leave_the_gateway_serving()
    {
        await using var gateway = await GatewayHost.StartAsync(_don);
        var relays = _don.Nodes.Take(3).Select(node => GatewayHandshakeTests.NewConnector(node, gateway.BaseAddress)).ToArray();
        await using var connected = await ConnectedRelays.StartAsync(gateway, relays);
        var frame = JsonSerializer.Serialize(new
        {
            jsonrpc = "2.0",
            method = GatewayConnectorProtocol.NodeResponseMethod,
            @params = new object[] { JsonRpcResponse.Success("f-1", RelayMethods.CapabilityExecute, new CapabilityResponseResult { Payload = "ok" }) },
        });
        var inputs = JsonMutations.Systematic(frame).Concat(JsonMutations.Random(frame, 400, seed: 1817)).Concat(Mutations.Random(Encoding.UTF8.GetBytes(frame), 100, seed: 1818)).ToArray();
        var socket = await RawNodeClient.ConnectAsync(gateway.NodeEndpoint, _don.Nodes[3].Key);
        var reconnects = 0;
        try
        {
            var heartbeat = 0;
            var tally = await FuzzTally.RunAsync("gateway: raw node frames", inputs, async input =>
            {
                if (socket.State != WebSocketState.Open)
                {
                    socket.Dispose();
                    socket = await RawNodeClient.ConnectAsync(gateway.NodeEndpoint, _don.Nodes[3].Key);
                    reconnects++;
                }

                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                try
                {
                    // The frame, then a heartbeat request: its answer shows the connection survived the frame.
                    var id = ++heartbeat;
                    await socket.SendAsync(input.Bytes, WebSocketMessageType.Binary, true, timeout.Token);
                    await socket.SendAsync(Encoding.UTF8.GetBytes($$"""{"jsonrpc":"2.0","id":{{id}},"method":"{{GatewayConnectorProtocol.HeartbeatMethod}}","params":[]}"""), WebSocketMessageType.Binary, true, timeout.Token);
                    return await AwaitAnswerAsync(socket, id, timeout.Token)
                        ? FuzzResult.Refused("connection kept", "heartbeat answered")
                        : FuzzResult.Refused("connection closed by the gateway", "closed");
                }
                catch (WebSocketException ex)
                {
                    socket.Abort();
                    return FuzzResult.Refused("connection closed by the gateway", ex.Message);
                }
                catch (OperationCanceledException)
                {
                    return FuzzResult.Wrong("the gateway neither answered the heartbeat nor closed within 10 s");
                }
            });
            tally.Report(output).AssertClean();
            output.WriteLine($"  the raw node reconnected {reconnects} times");

            // Still serving: the gateway forwards to all four and the three honest relays (echo) agree.
            var answer = await gateway.RelayHandler.HandleUserRequestAsync(new JsonRpcRequest { Id = "after-frames", Method = RelayMethods.CapabilityExecute }, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20));
            Assert.Equal(200, answer.HttpStatus);
            Assert.Equal(0, gateway.RelayHandler.ActiveRequestCount);
        }
        finally
        {
            socket.Dispose();
        }
    }

    /// <summary>Reads messages until the JSON-RPC answer with <paramref name="id"/> (true) or the close (false).</summary>
    private static async Task<bool> AwaitAnswerAsync(ClientWebSocket socket, int id, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            var length = 0;
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return false;
                }

                length += result.Count;
            }
            while (!result.EndOfMessage);

            using var message = JsonDocument.Parse(buffer.AsMemory(0, length));
            if (message.RootElement.TryGetProperty("id", out var answered) && answered.ValueKind == JsonValueKind.Number && answered.GetInt32() == id)
            {
                return true;
            }
        }
    }

    private NodeHandshakeAuthenticator Authenticator()
    {
        var options = Options.Create(new GatewayOptions { DonName = TestDon.DonName });
        return new NodeHandshakeAuthenticator(new RelayDonResolver(_don.Topology, options), options, new FakeTimeProvider(Now));
    }
}
