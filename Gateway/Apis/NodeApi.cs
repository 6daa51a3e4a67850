using System.Net.WebSockets;
using CreAspire.Gateway.Connections;
using CreAspire.Protocol.Gateway;
using Microsoft.Extensions.Options;

namespace CreAspire.Gateway.Apis;

/// <summary>The node WebSocket endpoint: header check before the upgrade, challenge in the 101 response, signed challenge as the first binary message.</summary>
public static partial class NodeApi
{
    public static IEndpointRouteBuilder MapNodeApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Map(GatewayConnectorProtocol.NodePath, AcceptNodeAsync);
        return app;
    }

    private static async Task AcceptNodeAsync(
        HttpContext context,
        NodeHandshakeAuthenticator authenticator,
        NodeConnectionManager connections,
        IOptions<GatewayOptions> options,
        TimeProvider timeProvider,
        ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger(typeof(NodeApi));
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("this endpoint accepts WebSocket upgrades from relay nodes only", context.RequestAborted);
            return;
        }

        NodeAuthHeader header;
        try
        {
            header = await authenticator.AuthenticateHeaderAsync(context.Request.Headers.Authorization, context.RequestAborted);
        }
        catch (GatewayHandshakeException ex)
        {
            LogRejected(logger, ex.Failure, ex.Message);
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync($"handshake rejected ({ex.Failure}): {ex.Message}", context.RequestAborted);
            return;
        }

        var challenge = authenticator.NewChallenge();
        context.Response.Headers[GatewayHandshake.ChallengeHeader] = Convert.ToBase64String(challenge);
        var socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
        {
            KeepAliveInterval = options.Value.HeartbeatInterval,
            KeepAliveTimeout = options.Value.HeartbeatInterval * 2,
        });

        try
        {
            var signature = await ReceiveChallengeResponseAsync(socket, options.Value.HandshakeTimeout, timeProvider, context.RequestAborted);
            NodeHandshakeAuthenticator.VerifyChallengeResponse(challenge, signature, header.Signer);
        }
        catch (Exception ex) when (ex is GatewayHandshakeException or TimeoutException or WebSocketException)
        {
            LogRejected(logger, (ex as GatewayHandshakeException)?.Failure ?? HandshakeFailure.Malformed, ex.Message);
            await CloseQuietlyAsync(socket, $"handshake rejected: {ex.Message}");
            socket.Dispose();
            return;
        }

        var connection = new NodeConnection(header.Signer, socket, connections.OnNodeResponse, timeProvider);
        await connections.AddAsync(connection);
        connection.Start();
        try
        {
            await connection.Completion;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogConnectionFailed(logger, header.Signer, ex.Message);
        }
        finally
        {
            connections.Remove(connection);
            await connection.DisposeAsync();
        }
    }

    private static async Task<byte[]> ReceiveChallengeResponseAsync(WebSocket socket, TimeSpan timeout, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        using var timeoutSource = new CancellationTokenSource(timeout, timeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeoutSource.Token, cancellationToken);
        var buffer = new byte[GatewayHandshake.SignatureLength + 1];
        var received = 0;
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(received), linked.Token);
                if (result.MessageType != WebSocketMessageType.Binary)
                {
                    throw new GatewayHandshakeException(HandshakeFailure.Malformed, "the first message must be the binary challenge signature");
                }

                received += result.Count;
                if (result.EndOfMessage)
                {
                    return buffer[..received];
                }

                if (received >= buffer.Length)
                {
                    throw new GatewayHandshakeException(HandshakeFailure.Malformed, $"challenge signature exceeds {GatewayHandshake.SignatureLength} bytes");
                }
            }
        }
        catch (OperationCanceledException) when (timeoutSource.IsCancellationRequested)
        {
            throw new TimeoutException($"the node did not sign the challenge within {timeout.TotalSeconds}s");
        }
    }

    private static async Task CloseQuietlyAsync(WebSocket socket, string reason)
    {
        // Close reasons are limited to 123 bytes on the wire.
        var text = reason.Length > 120 ? reason[..120] : reason;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, text, timeout.Token);
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
        {
            // The node is gone already.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node handshake rejected ({Failure}): {Reason}")]
    private static partial void LogRejected(ILogger logger, HandshakeFailure failure, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeAddress} connection ended: {Reason}")]
    private static partial void LogConnectionFailed(ILogger logger, string nodeAddress, string reason);
}
