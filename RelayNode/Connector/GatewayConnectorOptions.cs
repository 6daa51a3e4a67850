using CreAspire.Protocol.Gateway;

namespace CreAspire.RelayNode.Connector;

/// <summary>Where and how the node connects to the gateway (section "GatewayConnector").</summary>
public sealed class GatewayConnectorOptions
{
    public const string SectionName = "GatewayConnector";

    /// <summary>The gateway's base URL (http/https, turned into ws/wss + /node); defaults to services:gateway:http:0.</summary>
    public Uri? GatewayUrl { get; set; }

    /// <summary>The gateway id put in the auth header; must equal the gateway's Gateway:Id.</summary>
    public string GatewayId { get; set; } = GatewayConnectorProtocol.DefaultGatewayId;

    /// <summary>The DON id put in the auth header: the relay DON's name or its decimal on-chain id (defaults to Relay:DonId).</summary>
    public string DonId { get; set; } = "";

    /// <summary>How far the challenge timestamp may be from the node's clock.</summary>
    public TimeSpan AuthTimestampTolerance { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Bound on dialing plus the handshake.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Heartbeat period; a heartbeat unanswered within the same period ends the session and the node redials.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>First redial delay; doubles after each failure up to <see cref="MaxReconnectDelay"/>, reset after a successful session.</summary>
    public TimeSpan MinReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Longest redial delay: 500 ms, so a restarted gateway has its relay nodes back within about a second of accepting
    /// connections (a refused dial costs next to nothing). With 10 s, a gateway down for ~10 s (a dashboard Stop and Start)
    /// had the relays' delay doubled to 6.4 s, so they came back up to ~3 s after the gateway listened again; with a 1 s cap
    /// RestartFaultTests measured 1.4 s.
    /// </summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The node WebSocket endpoint derived from <see cref="GatewayUrl"/>.</summary>
    public Uri NodeEndpoint()
    {
        var url = GatewayUrl ?? throw new InvalidOperationException("GatewayConnector:GatewayUrl is not set (nor services:gateway:http:0); the AppHost must reference the gateway.");
        var builder = new UriBuilder(url)
        {
            Scheme = url.Scheme == Uri.UriSchemeHttps || url.Scheme == "wss" ? "wss" : "ws",
            Path = GatewayConnectorProtocol.NodePath,
        };
        return builder.Uri;
    }
}
