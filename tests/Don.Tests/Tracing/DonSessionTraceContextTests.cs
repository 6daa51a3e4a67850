using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using CreAspire.Don.Transport;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreAspire.Don.Tests.Tracing;

// Two DonSessions over a real loopback WebSocket (keys as the handshake would derive them): the W3C context a request is
// sent with is the context its handler receives, and the answer's context comes back with the answer, beside bodies that
// arrive byte for byte as sent.
public sealed class DonSessionTraceContextTests : IAsyncLifetime
{
    private readonly ConcurrentQueue<(byte[] Body, ActivityContext Trace)> _received = new();
    private readonly ActivityContext _answerContext = new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, "server=1");
    private TcpListener _listener = null!;
    private TcpClient _dialer = null!;
    private TcpClient _accepted = null!;
    private DonSession _client = null!;
    private DonSession _server = null!;

    public async Task InitializeAsync()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        _dialer = new TcpClient();
        var accept = _listener.AcceptTcpClientAsync();
        await _dialer.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)_listener.LocalEndpoint).Port);
        _accepted = await accept;
        byte[] dialerToAcceptor = RandomNumberGenerator.GetBytes(32), acceptorToDialer = RandomNumberGenerator.GetBytes(32);
        var clientSocket = WebSocket.CreateFromStream(_dialer.GetStream(), new WebSocketCreationOptions { IsServer = false });
        var serverSocket = WebSocket.CreateFromStream(_accepted.GetStream(), new WebSocketCreationOptions { IsServer = true });
        _client = new DonSession(clientSocket, "server", new DonSessionKeys(dialerToAcceptor, acceptorToDialer), 1 << 20, handler: null, NullLogger.Instance);
        _server = new DonSession(serverSocket, "client", new DonSessionKeys(acceptorToDialer, dialerToAcceptor), 1 << 20, (sender, body, trace, _) =>
        {
            _received.Enqueue((body, trace));
            return Task.FromResult(new DonReply(200, [.. body, .. "!"u8]) { Trace = _answerContext });
        }, NullLogger.Instance);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
        _dialer.Dispose();
        _accepted.Dispose();
        _listener.Stop();
    }

    [Fact]
    public async Task The_context_a_request_is_sent_with_is_the_context_its_handler_receives_and_the_answer_brings_the_handlers_context_back()
    {
        var sent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, "vendor=a,other=b");
        var body = "{\"capabilityId\":\"mock@1.0.0\"}"u8.ToArray();

        var reply = await _client.RequestAsync(body, sent, Timeout());

        var (receivedBody, received) = Assert.Single(_received);
        Assert.Equal(body, receivedBody);
        Assert.Equal(sent.TraceId, received.TraceId);
        Assert.Equal(sent.SpanId, received.SpanId);
        Assert.Equal(sent.TraceFlags, received.TraceFlags);
        Assert.Equal("vendor=a,other=b", received.TraceState);
        Assert.True(received.IsRemote);
        Assert.Equal([.. body, .. "!"u8], reply.Body);
        Assert.Equal(_answerContext.TraceId, reply.Trace.TraceId);
        Assert.Equal(_answerContext.SpanId, reply.Trace.SpanId);
        Assert.Equal("server=1", reply.Trace.TraceState);
    }

    [Fact]
    public async Task A_request_without_context_reaches_the_handler_without_one_and_records_with_and_without_context_share_a_frame()
    {
        var traced = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None);

        // Sent back to back, these are usually packed into one frame by the sender loop: the reader must find each record's end.
        var replies = await Task.WhenAll(
            _client.RequestAsync("a"u8.ToArray(), default, Timeout()),
            _client.RequestAsync("b"u8.ToArray(), traced, Timeout()),
            _client.RequestAsync("c"u8.ToArray(), default, Timeout()));

        Assert.Equal(["a!", "b!", "c!"], replies.Select(r => r.BodyText));
        var byBody = _received.ToDictionary(r => System.Text.Encoding.UTF8.GetString(r.Body), r => r.Trace);
        Assert.Equal(default, byBody["a"]);
        Assert.Equal(default, byBody["c"]);
        Assert.Equal(traced.SpanId, byBody["b"].SpanId);
        Assert.Equal(ActivityTraceFlags.None, byBody["b"].TraceFlags);
        Assert.Null(byBody["b"].TraceState);
    }

    [Fact]
    public async Task A_tracestate_over_the_W3C_limit_is_dropped_and_the_rest_of_the_context_still_arrives()
    {
        var sent = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, "k=" + new string('v', 600));

        await _client.RequestAsync("x"u8.ToArray(), sent, Timeout());

        var (_, received) = Assert.Single(_received);
        Assert.Equal(sent.SpanId, received.SpanId);
        Assert.Null(received.TraceState);
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(20)).Token;
}
