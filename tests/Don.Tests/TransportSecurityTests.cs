using System.Net;
using System.Net.WebSockets;
using System.Security.Cryptography;
using CreAspire.Chain.Identity;
using Nethereum.Signer;
using CreAspire.Don.Launcher;
using CreAspire.Don.Remote;
using CreAspire.Don.Tests.Infrastructure;
using CreAspire.Don.Transport;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Topology;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CreAspire.Don.Tests;

/// <summary>The accepting side of the DON transport against hand-made hellos, frames and requests.</summary>
[Collection(PostgresCollection.Name)]
public sealed class TransportSecurityTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly NodeIdentity[] Workflow = TestTopology.Nodes("wf", 4);
    private static readonly NodeIdentity[] Capability = TestTopology.Nodes("cap", 4);
    private static readonly NodeIdentity Outsider = NodeIdentity.Derive("outsider", TestTopology.Seed);
    private DonNetwork _network = null!;
    private CapabilityNode _target = null!;

    public async Task InitializeAsync()
    {
        _network = new DonNetwork(TestTopology.Snapshot(
            TestTopology.Don(1, "workflow", 1, Workflow, acceptsWorkflows: true),
            TestTopology.Don(3, "capability", 1, Capability, capabilities: [CapabilityIds.Mock, CapabilityIds.Vault])), [Capability[0]]);
        _target = await _network.StartCapabilityNodeAsync(Capability[0], await postgres.CreateDatabaseAsync("sec"));
        await _target.Get<CapabilityLauncher>().Ready.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async Task DisposeAsync() => await _network.DisposeAsync();

    private static byte[] RequestBody(uint callerDon = 1, string executionId = "sec") => DonJson.Serialize(new RemoteCapabilityRequest(
        callerDon, 3, CapabilityIds.Mock, CapabilityIds.ExecuteMethod, MockCalls.Call(executionId).Payload!.ToByteArray(), MockCalls.Call(executionId).Metadata));

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static (DonHello Hello, ECDiffieHellman Ephemeral) Hello(EthECKey signer, string claimedSender, string receiver, long timestamp) =>
        RawDonClient.Hello(signer, claimedSender, receiver, timestamp);

    /// <summary>Opens a WebSocket to the target, sends <paramref name="hello"/> and returns the socket and the raw welcome.</summary>
    private async Task<(ClientWebSocket Socket, byte[] HelloBytes, byte[] Welcome)> SendHelloAsync(DonHello hello)
    {
        var helloBytes = DonHandshake.Serialize(hello);
        var (socket, welcome) = await RawDonClient.SendHelloAsync(_target.BaseUrl, helloBytes);
        Assert.NotNull(welcome);
        return (socket, helloBytes, welcome);
    }

    private async Task<string> RefusalAsync(DonHello hello)
    {
        var (socket, _, welcomeBytes) = await SendHelloAsync(hello);
        using (socket)
        {
            var welcome = DonHandshake.ParseWelcome(welcomeBytes)!;
            Assert.Null(welcome.Signature);
            Assert.NotNull(welcome.Error);
            return welcome.Error;
        }
    }

    /// <summary>A session with the target opened by <paramref name="node"/>, through the real handshake.</summary>
    private Task<(ClientWebSocket Socket, DonSessionKeys Keys)> OpenRawAsync(NodeIdentity node) =>
        RawDonClient.OpenAsync(_target.BaseUrl, node, Capability[0].Address);

    private async Task<DonReply> RequestAsync(NodeIdentity node, byte[] body)
    {
        var (socket, keys) = await OpenRawAsync(node);
        await using var session = new DonSession(socket, Capability[0].Address, keys, 1 << 20, handler: null, NullLogger.Instance);
        return await session.RequestAsync(body, default, new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token);
    }

    [Fact]
    public async Task Unsigned_hello_is_refused_and_logged()
    {
        var (hello, ephemeral) = Hello(Workflow[0].Key, Workflow[0].Address, Capability[0].Address, Now);
        ephemeral.Dispose();

        var error = await RefusalAsync(hello with { Signature = [] });

        Assert.Contains("hello is unsigned", error, StringComparison.Ordinal);
        Assert.True(_network.Logs.Contains(LogLevel.Warning, $"Refused a DON session from {Workflow[0].Address}: hello is unsigned"));
    }

    [Fact]
    public async Task Forged_hello_signed_by_another_key_is_refused_and_logged()
    {
        var (hello, ephemeral) = Hello(Outsider.Key, Workflow[0].Address, Capability[0].Address, Now);
        ephemeral.Dispose();

        var error = await RefusalAsync(hello);

        Assert.Contains($"forged hello: signed by {Outsider.Address}", error, StringComparison.Ordinal);
        Assert.True(_network.Logs.Contains(LogLevel.Warning, $"forged hello: signed by {Outsider.Address}, but claims sender {Workflow[0].Address}"));
    }

    [Fact]
    public async Task Tampered_hello_is_refused()
    {
        var (hello, ephemeral) = Hello(Workflow[0].Key, Workflow[0].Address, Capability[0].Address, Now);
        ephemeral.Dispose();
        var otherKey = (byte[])hello.EphemeralKey.Clone();
        otherKey[^1] ^= 1;

        var error = await RefusalAsync(hello with { EphemeralKey = otherKey });

        Assert.Contains("forged hello: signed by 0x", error, StringComparison.Ordinal); // recovers to some other key
        Assert.DoesNotContain($"signed by {Workflow[0].Address}", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stale_hello_is_refused_and_logged()
    {
        var (hello, ephemeral) = Hello(Workflow[0].Key, Workflow[0].Address, Capability[0].Address, Now - 120_000);
        ephemeral.Dispose();

        var error = await RefusalAsync(hello);

        Assert.Contains("stale hello", error, StringComparison.Ordinal);
        Assert.True(_network.Logs.Contains(LogLevel.Warning, "stale hello"));
    }

    [Fact]
    public async Task Hello_addressed_to_another_node_is_refused()
    {
        var (hello, ephemeral) = Hello(Workflow[0].Key, Workflow[0].Address, Capability[1].Address, Now);
        ephemeral.Dispose();

        var error = await RefusalAsync(hello);

        Assert.Contains($"hello is addressed to {Capability[1].Address}, but this node is {Capability[0].Address}", error, StringComparison.Ordinal);
    }

    /// <summary>Found by DonSessionFuzzTests: a hello over the handshake limit was dropped without a word (the socket just closed).</summary>
    [Fact]
    public async Task An_oversized_hello_is_refused_with_the_reason()
    {
        var (socket, welcome) = await RawDonClient.SendHelloAsync(_target.BaseUrl, new byte[DonHandshake.MaxHandshakeBytes + 1]);
        using var _ = socket;

        Assert.NotNull(welcome);
        Assert.Equal($"handshake message exceeds {DonHandshake.MaxHandshakeBytes} bytes", DonHandshake.ParseWelcome(welcome)!.Error);
    }

    /// <summary>Found by DonHandshakeFuzzTests: the refusal of a hello of the wrong shape quoted the serializer's .NET type names.</summary>
    [Fact]
    public async Task A_hello_of_the_wrong_shape_is_refused_naming_the_member()
    {
        var (socket, welcome) = await RawDonClient.SendHelloAsync(_target.BaseUrl, "{\"version\":\"one\"}"u8.ToArray());
        using var _ = socket;

        Assert.StartsWith("hello is not a DON session hello: $.version has the wrong type (", DonHandshake.ParseWelcome(welcome!)!.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_from_a_node_in_no_DON_of_the_registry_is_refused_and_logged()
    {
        var (hello, ephemeral) = Hello(Outsider.Key, Outsider.Address, Capability[0].Address, Now);
        ephemeral.Dispose();

        var error = await RefusalAsync(hello);

        Assert.Contains($"node {Outsider.Address} is not a member of any DON in the registry", error, StringComparison.Ordinal);
        Assert.True(_network.Logs.Contains(LogLevel.Warning, $"Refused a DON session from {Outsider.Address}: node {Outsider.Address} is not a member of any DON"));
    }

    [Fact]
    public async Task Request_from_a_non_member_of_the_claimed_DON_is_rejected_and_logged()
    {
        // cap-1 is in the registry (so its session opens) but not in workflow DON 1, which it claims to call for.
        var reply = await RequestAsync(Capability[1], RequestBody(callerDon: 1));

        Assert.Equal(403, reply.StatusCode);
        Assert.Contains($"sender {Capability[1].Address} is not a member of DON 1", reply.BodyText, StringComparison.Ordinal);
        Assert.True(_network.Logs.Contains(LogLevel.Warning, $"Rejected DON request from {Capability[1].Address}: sender {Capability[1].Address} is not a member of DON 1"));
    }

    [Fact]
    public async Task Request_claiming_an_unknown_DON_is_rejected()
    {
        var reply = await RequestAsync(Workflow[0], RequestBody(callerDon: 42));

        Assert.Equal(403, reply.StatusCode);
        Assert.Contains("calling DON 42 is not in the registry", reply.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Request_body_that_is_not_a_capability_request_is_a_bad_request()
    {
        var reply = await RequestAsync(Workflow[0], "{\"hello\":1}"u8.ToArray());

        Assert.Equal(400, reply.StatusCode);
        Assert.Contains("lacks capabilityId/metadata", reply.BodyText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_frame_with_a_wrong_MAC_closes_the_session_unanswered_and_is_logged()
    {
        var (socket, keys) = await OpenRawAsync(Workflow[0]);
        using var _ = socket;
        using var forger = new DonFrameCodec(RandomNumberGenerator.GetBytes(32)); // not the session key
        var frame = Frame(forger, id: 1, RequestBody(executionId: "forged-frame"));

        await socket.SendAsync(frame, WebSocketMessageType.Binary, true, CancellationToken.None);

        await AssertClosedByPeerAsync(socket);
        Assert.True(_network.Logs.Contains(LogLevel.Warning, $"Closed DON session with {Workflow[0].Address}: frame 0 failed authentication"));
        Assert.Equal(0, _target.Get<RemoteCapabilityServer>().PendingCount);
        GC.KeepAlive(keys);
    }

    [Fact]
    public async Task A_replayed_frame_closes_the_session_and_the_request_counts_once()
    {
        var (socket, keys) = await OpenRawAsync(Workflow[0]);
        using var _ = socket;
        using var codec = new DonFrameCodec(keys.Send);
        var frame = Frame(codec, id: 1, RequestBody(executionId: "replayed-frame"));
        var server = _target.Get<RemoteCapabilityServer>();

        await socket.SendAsync(frame, WebSocketMessageType.Binary, true, CancellationToken.None);
        await Wait.UntilAsync(() => server.PendingCount == 1, TimeSpan.FromSeconds(10), "the first copy to be accepted");
        await socket.SendAsync(frame, WebSocketMessageType.Binary, true, CancellationToken.None);

        await AssertClosedByPeerAsync(socket);
        Assert.True(_network.Logs.Contains(LogLevel.Warning, $"Closed DON session with {Workflow[0].Address}: frame 1 failed authentication"));
    }

    [Fact]
    public async Task A_send_to_a_URL_where_another_node_answers_fails_with_the_reason()
    {
        // The directory sends cap-1's traffic to cap-0's URL: cap-0 answers, but its welcome is not signed by cap-1.
        var peers = new PeerDirectory(new Dictionary<string, Uri> { [Capability[1].Address] = _target.BaseUrl });
        await using var client = new DonTransportClient(Workflow[0], peers, Options.Create(new DonTransportOptions()), TimeProvider.System, NullLogger<DonTransportClient>.Instance);

        var error = await Assert.ThrowsAsync<DonTransportException>(() => client.SendAsync(Capability[1].Address, RequestBody(), TimeSpan.FromSeconds(10), CancellationToken.None));

        Assert.Contains($"refused the session: hello is addressed to {Capability[1].Address}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Plain_HTTP_to_the_session_path_is_a_bad_request()
    {
        using var http = new HttpClient { BaseAddress = _target.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.PostAsync(DonTransportOptions.SessionPath, new ByteArrayContent(RequestBody()));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("WebSocket sessions only", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static byte[] Frame(DonFrameCodec codec, ulong id, byte[] body) => RawDonClient.Seal(codec, RawDonClient.Record(1, id, body));

    private static async Task AssertClosedByPeerAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[1024];
        try
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            Assert.Equal(WebSocketMessageType.Close, result.MessageType);
        }
        catch (WebSocketException)
        {
            // aborted by the server: closed just the same
        }

        Assert.False(timeout.IsCancellationRequested, "the server kept the session open");
    }
}
