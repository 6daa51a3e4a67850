using System.Collections.Concurrent;
using CreAspire.Gateway.Relay;
using CreAspire.Gateway.Routing;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Telemetry;

namespace CreAspire.Gateway.Connections;

/// <summary>
/// Live node connections by lower-case address. A reconnecting node replaces its old connection (the old one is
/// closed); node responses are routed to the handler owning the response's method.
/// </summary>
public sealed partial class NodeConnectionManager(IServiceProvider services, ILogger<NodeConnectionManager> logger) : INodeConnections
{
    private readonly ConcurrentDictionary<string, NodeConnection> _connections = new(StringComparer.Ordinal);

    // Resolved on first use: handlers send through this manager, so taking them in the constructor would be a cycle.
    private readonly Lazy<Dictionary<string, IGatewayServiceHandler>> _handlers = new(() =>
        services.GetServices<IGatewayServiceHandler>().ToDictionary(h => h.ServiceName, StringComparer.Ordinal));

    public IReadOnlyCollection<string> ConnectedNodes => _connections.Keys.Order(StringComparer.Ordinal).ToArray();

    public event Action<string, long>? ConnectionClosed;

    public Task<long> SendAsync(string nodeAddress, JsonRpcRequest request, CancellationToken cancellationToken) =>
        _connections.TryGetValue(nodeAddress, out var connection)
            ? connection.SendAsync(request, cancellationToken)
            : Task.FromException<long>(new NodeNotConnectedException(nodeAddress));

    /// <summary>Registers a new connection, closing any previous one of the same node.</summary>
    public async Task AddAsync(NodeConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        NodeConnection? previous = null;
        _connections.AddOrUpdate(connection.NodeAddress, connection, (_, old) =>
        {
            previous = old;
            return connection;
        });
        if (previous is not null)
        {
            LogReplaced(connection.NodeAddress);
            await previous.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            LogConnected(connection.NodeAddress);
        }
    }

    /// <summary>
    /// Called once when a connection has ended: removes it if it is still the node's current one (a replaced connection
    /// removes nothing) and tells <see cref="ConnectionClosed"/> subscribers either way.
    /// </summary>
    public void Remove(NodeConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (_connections.TryRemove(new KeyValuePair<string, NodeConnection>(connection.NodeAddress, connection)))
        {
            LogDisconnected(connection.NodeAddress);
        }

        ConnectionClosed?.Invoke(connection.NodeAddress, connection.Id);
    }

    /// <summary>Routes a node response to the service named by its method's prefix.</summary>
    public void OnNodeResponse(JsonRpcResponse response, string nodeAddress)
    {
        ArgumentNullException.ThrowIfNull(response);
        var service = ServiceOf(response.Method);
        if (!_handlers.Value.TryGetValue(service, out var handler))
        {
            LogUnroutable(nodeAddress, response.Id, response.Method ?? "");
            return;
        }

        var outcome = handler.HandleNodeMessage(response, nodeAddress);
        GatewayTelemetry.CurrentNodeResponseSpan()?.SetTag(TelemetryTags.Outcome, outcome.ToString());
    }

    public static string ServiceOf(string? method)
    {
        if (string.IsNullOrEmpty(method))
        {
            return "";
        }

        var dot = method.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? method : method[..dot];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeAddress} connected")]
    private partial void LogConnected(string nodeAddress);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeAddress} reconnected; its previous connection was closed")]
    private partial void LogReplaced(string nodeAddress);

    [LoggerMessage(Level = LogLevel.Information, Message = "Node {NodeAddress} disconnected")]
    private partial void LogDisconnected(string nodeAddress);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Node {NodeAddress} sent response {RequestId} for method '{Method}' that no service handles; dropped")]
    private partial void LogUnroutable(string nodeAddress, string requestId, string method);
}
