using System.Net.WebSockets;
using Nethereum.Signer;
using CreAspire.Protocol.Gateway;

namespace CreAspire.Gateway.Tests.Support;

/// <summary>A hand-driven node handshake, so tests can break exactly one rule at a time.</summary>
internal static class RawNodeClient
{
    public static async Task<ClientWebSocket> ConnectAsync(
        Uri endpoint,
        EthECKey headerKey,
        string donId = TestDon.DonName,
        string gatewayId = GatewayConnectorProtocol.DefaultGatewayId,
        DateTimeOffset? timestamp = null,
        EthECKey? challengeKey = null,
        Func<byte[], byte[]>? tamperHeader = null)
    {
        var header = GatewayHandshake.BuildAuthHeader(headerKey, donId, gatewayId, timestamp ?? DateTimeOffset.UtcNow);
        header = tamperHeader?.Invoke(header) ?? header;
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.SetRequestHeader(GatewayHandshake.AuthorizationHeader, Convert.ToBase64String(header));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(endpoint, timeout.Token);
        var challenge = Convert.FromBase64String(socket.HttpResponseHeaders![GatewayHandshake.ChallengeHeader].First());
        await socket.SendAsync(GatewayHandshake.SignChallenge(challengeKey ?? headerKey, challenge), WebSocketMessageType.Binary, true, timeout.Token);
        return socket;
    }

    /// <summary>Reads until the gateway closes the socket; returns the close description.</summary>
    public static async Task<string> WaitForCloseAsync(ClientWebSocket socket)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return result.CloseStatusDescription ?? "";
                }
            }
        }
        catch (WebSocketException ex)
        {
            return ex.Message;
        }
    }
}
