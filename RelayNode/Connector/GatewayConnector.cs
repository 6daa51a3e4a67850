using System.Diagnostics;
using System.Net.WebSockets;
using CreAspire.Protocol.Gateway;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Telemetry;
using CreAspire.RelayNode.Relay;
using StreamJsonRpc;

namespace CreAspire.RelayNode.Connector;

/// <summary>
/// The node's side of the gateway link: dial with the signed auth header, check and sign the gateway's challenge, then
/// serve forwarded requests over StreamJsonRpc, heartbeat, and redial with exponential backoff whenever the link ends.
/// </summary>
public sealed partial class GatewayConnector(
    GatewayConnectorOptions options,
    NodeIdentity identity,
    IGatewayRequestHandler handler,
    TimeProvider timeProvider,
    ILogger<GatewayConnector> logger)
{
    private int _sessions;
    private volatile bool _connected;

    private string? _lastError;

    /// <summary>Why the last session or dial attempt ended (null before the first failure).</summary>
    public string? LastError => Volatile.Read(ref _lastError);

    /// <summary>True while an authenticated session is up.</summary>
    public bool IsConnected => _connected;

    /// <summary>Authenticated sessions established so far (grows on every reconnect).</summary>
    public int SessionCount => Volatile.Read(ref _sessions);

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var delay = options.MinReconnectDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            var before = SessionCount;
            try
            {
                await RunSessionAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Volatile.Write(ref _lastError, ex.Message);
                LogSessionEnded(options.NodeEndpoint(), ex.Message, delay.TotalMilliseconds);
            }
            finally
            {
                _connected = false;
            }

            delay = SessionCount > before ? options.MinReconnectDelay : delay;
            try
            {
                await Task.Delay(delay, timeProvider, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.MaxReconnectDelay.Ticks));
        }
    }

    private async Task RunSessionAsync(CancellationToken stoppingToken)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = options.HeartbeatInterval;
        var auth = GatewayHandshake.BuildAuthHeader(identity.Key, options.DonId, options.GatewayId, timeProvider.GetUtcNow());
        socket.Options.SetRequestHeader(GatewayHandshake.AuthorizationHeader, Convert.ToBase64String(auth));

        using (var dial = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
        {
            dial.CancelAfter(options.HandshakeTimeout);
            try
            {
                await socket.ConnectAsync(options.NodeEndpoint(), dial.Token).ConfigureAwait(false);
            }
            catch (WebSocketException ex) when (socket.HttpStatusCode != 0)
            {
                throw new GatewayHandshakeException(HandshakeFailure.Malformed, $"gateway refused the connection with HTTP {(int)socket.HttpStatusCode}: {ex.Message}");
            }

            var challenge = ReadChallenge(socket);
            await socket.SendAsync(GatewayHandshake.SignChallenge(identity.Key, challenge), WebSocketMessageType.Binary, endOfMessage: true, dial.Token).ConfigureAwait(false);
        }

        using var rpc = new JsonRpc(new WebSocketMessageHandler(socket, new SystemTextJsonFormatter()))
        {
            ActivityTracingStrategy = RelayTelemetry.GatewayTraceContext,
        };
        using var session = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        // Returning the task (StreamJsonRpc still dispatches the next message at once) keeps the gateway.forward span open
        // until the answer is sent, so the gateway's gateway.respond span is its child.
        rpc.AddLocalRpcMethod(GatewayConnectorProtocol.ForwardRequestMethod, new Func<JsonRpcRequest, Task>(request => ServeAsync(rpc, request, session.Token)));
        rpc.StartListening();

        // The first heartbeat doubles as the handshake verdict: a refused node sees the gateway close instead.
        await HeartbeatAsync(rpc, session.Token).ConfigureAwait(false);
        _connected = true;
        Interlocked.Increment(ref _sessions);
        LogConnected(options.NodeEndpoint(), identity.Address);
        try
        {
            while (true)
            {
                var tick = Task.Delay(options.HeartbeatInterval, timeProvider, session.Token);
                if (await Task.WhenAny(tick, rpc.Completion).ConfigureAwait(false) == rpc.Completion)
                {
                    await rpc.Completion.ConfigureAwait(false);
                    throw new ConnectionLostException("the gateway closed the connection");
                }

                await tick.ConfigureAwait(false);
                await HeartbeatAsync(rpc, session.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            await session.CancelAsync().ConfigureAwait(false);
        }
    }

    private byte[] ReadChallenge(ClientWebSocket socket)
    {
        if (socket.HttpResponseHeaders?.TryGetValue(GatewayHandshake.ChallengeHeader, out var values) != true || values is null || !values.Any())
        {
            throw new GatewayHandshakeException(HandshakeFailure.Malformed, $"the gateway sent no {GatewayHandshake.ChallengeHeader} header");
        }

        var challenge = Convert.FromBase64String(values.First());
        var parsed = GatewayHandshake.ParseChallenge(challenge);
        if (!string.Equals(parsed.GatewayId, options.GatewayId, StringComparison.Ordinal))
        {
            throw new GatewayHandshakeException(HandshakeFailure.WrongGatewayId, $"the challenge names gateway '{parsed.GatewayId}', expected '{options.GatewayId}'");
        }

        if (!GatewayHandshake.IsFresh(parsed.Timestamp, timeProvider.GetUtcNow(), options.AuthTimestampTolerance))
        {
            throw new GatewayHandshakeException(HandshakeFailure.StaleTimestamp, $"the challenge timestamp {parsed.Timestamp} is outside ±{options.AuthTimestampTolerance.TotalSeconds}s of the node clock");
        }

        return challenge;
    }

    private async Task HeartbeatAsync(JsonRpc rpc, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.HeartbeatInterval < options.HandshakeTimeout ? options.HandshakeTimeout : options.HeartbeatInterval);
        var invocation = rpc.InvokeWithCancellationAsync<long>(GatewayConnectorProtocol.HeartbeatMethod, [], timeout.Token);
        var ended = await Task.WhenAny(invocation, rpc.Completion).ConfigureAwait(false);
        if (ended != invocation)
        {
            throw new ConnectionLostException("the gateway closed the connection" + CloseReason(rpc));
        }

        await invocation.ConfigureAwait(false);
    }

    private static string CloseReason(JsonRpc rpc) =>
        rpc.Completion.Exception?.GetBaseException().Message is { Length: > 0 } reason ? $" ({reason})" : "";

    private async Task ServeAsync(JsonRpc rpc, JsonRpcRequest request, CancellationToken cancellationToken)
    {
        var forward = Activity.Current is { } current && current.Source == RelayTelemetry.Source ? current : null;
        forward?.SetTag(TelemetryTags.NodeAddress, identity.Address).SetTag(TelemetryTags.NodeName, identity.Name)
            .SetTag(TelemetryTags.RequestId, request.Id).SetTag(TelemetryTags.RpcMethod, request.Method);

        try
        {
            var response = await handler.HandleAsync(request, cancellationToken).ConfigureAwait(false);
            await rpc.NotifyAsync(GatewayConnectorProtocol.NodeResponseMethod, response).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ConnectionLostException or ObjectDisposedException or WebSocketException)
        {
            forward.Fail(ex, "response not delivered: " + ex.Message);
            LogResponseLost(request.Id, ex.Message);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Anything else would be an unobserved task exception and a silently missing answer.
            forward.Fail(ex);
            LogResponseFailed(ex, request.Id);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connected to gateway {Endpoint} as {NodeAddress}")]
    private partial void LogConnected(Uri endpoint, string nodeAddress);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Gateway session with {Endpoint} ended: {Reason}; redialing in {DelayMs} ms")]
    private partial void LogSessionEnded(Uri endpoint, string reason, double delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Response to {RequestId} not delivered, the gateway session ended: {Reason}")]
    private partial void LogResponseLost(string requestId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {RequestId} got no response from this node: handling or sending it failed")]
    private partial void LogResponseFailed(Exception exception, string requestId);
}
