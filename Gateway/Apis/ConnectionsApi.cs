using CreAspire.Gateway.Connections;

namespace CreAspire.Gateway.Apis;

/// <summary>GET /nodes: the addresses of the nodes connected to the gateway right now (for the explorer's DON view).</summary>
public static class ConnectionsApi
{
    public static IEndpointRouteBuilder MapConnectionsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/nodes", (INodeConnections connections) => Results.Ok(new { connected = connections.ConnectedNodes.Order(StringComparer.Ordinal).ToArray() }));
        return app;
    }
}
