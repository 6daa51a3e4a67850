namespace CreAspire.Protocol.Gateway;

/// <summary>
/// What travels over an authenticated node connection (StreamJsonRpc over the WebSocket, after the handshake): the
/// gateway forwards each user request to the node as a notification carrying the relay <c>JsonRpcRequest</c>, the node
/// answers with a notification carrying the relay <c>JsonRpcResponse</c>; the node sends heartbeats as requests.
/// Notifications keep the original's fire-and-collect model: responses are votes the gateway's handler aggregates.
/// </summary>
public static class GatewayConnectorProtocol
{
    /// <summary>Path of the gateway's node WebSocket endpoint.</summary>
    public const string NodePath = "/node";

    /// <summary>Gateway → node notification; one argument: the relay JsonRpcRequest.</summary>
    public const string ForwardRequestMethod = "gateway.forward";

    /// <summary>Node → gateway notification; one argument: the relay JsonRpcResponse.</summary>
    public const string NodeResponseMethod = "gateway.respond";

    /// <summary>Node → gateway request; returns the gateway's clock in unix milliseconds.</summary>
    public const string HeartbeatMethod = "gateway.heartbeat";

    public const string DefaultGatewayId = "gateway-node-0";
}
