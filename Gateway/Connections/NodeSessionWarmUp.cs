using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using CreAspire.Protocol.Gateway;
using Nethereum.Signer;
using StreamJsonRpc;

namespace CreAspire.Gateway.Connections;

/// <summary>
/// Runs the node-session path once while the gateway starts, before Kestrel accepts connections (the host starts hosted
/// services first): a challenge signed with a throwaway key and its signer recovered, and one heartbeat over a
/// <see cref="NodeConnection"/> on a loopback WebSocket pair. Measured in RestartFaultTests: a restarted gateway authenticated
/// its first relays 2.3-3.4 s after it began accepting connections (load 30-50 on 2 cores), the time its first handshake spent
/// in cold code (secp256k1 recovery, StreamJsonRpc, the WebSocket message handler); relays must be back within 2 s.
/// Nothing here touches the connection manager, so no relay sees this session. A failure is logged and start-up goes on.
/// </summary>
public sealed partial class NodeSessionWarmUp(TimeProvider timeProvider, ILogger<NodeSessionWarmUp> logger) : IHostedService
{
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(10);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(Budget);
        try
        {
            var key = EthECKey.GenerateKey();
            var challenge = GatewayHandshake.BuildChallenge("warm-up", timeProvider.GetUtcNow(), new byte[32]);
            NodeHandshakeAuthenticator.VerifyChallengeResponse(challenge, GatewayHandshake.SignChallenge(key, challenge), key.GetPublicAddress());
            await HeartbeatOverLoopbackAsync(bounded.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogWarmUpFailed(logger, ex.Message);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task HeartbeatOverLoopbackAsync(CancellationToken cancellationToken)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var dialer = new TcpClient();
        var accepting = listener.AcceptTcpClientAsync(cancellationToken).AsTask();
        await dialer.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port, cancellationToken).ConfigureAwait(false);
        using var accepted = await accepting.ConfigureAwait(false);
        using var serverSocket = WebSocket.CreateFromStream(accepted.GetStream(), isServer: true, subProtocol: null, keepAliveInterval: Timeout.InfiniteTimeSpan);
        using var clientSocket = WebSocket.CreateFromStream(dialer.GetStream(), isServer: false, subProtocol: null, keepAliveInterval: Timeout.InfiniteTimeSpan);
        await using var connection = new NodeConnection("0x0000000000000000000000000000000000000000", serverSocket, (_, _) => { }, timeProvider);
        connection.Start();
        using var client = new JsonRpc(new WebSocketMessageHandler(clientSocket, new SystemTextJsonFormatter()));
        client.StartListening();
        await client.InvokeWithCancellationAsync<long>(GatewayConnectorProtocol.HeartbeatMethod, [], cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Warming the node-session path at start failed ({Reason}); the first relay handshake pays for it")]
    private static partial void LogWarmUpFailed(ILogger logger, string reason);
}
