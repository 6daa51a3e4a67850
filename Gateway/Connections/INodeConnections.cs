using CreAspire.Protocol.JsonRpc;

namespace CreAspire.Gateway.Connections;

/// <summary>The gateway's authenticated node connections, as handlers see them.</summary>
public interface INodeConnections
{
    /// <summary>Lower-case addresses of the nodes connected right now.</summary>
    IReadOnlyCollection<string> ConnectedNodes { get; }

    /// <summary>
    /// Writes <paramref name="request"/> to the node and returns the id of the connection it went out on; throws
    /// <see cref="NodeNotConnectedException"/> when it is not connected.
    /// </summary>
    Task<long> SendAsync(string nodeAddress, JsonRpcRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Raised with (node address, connection id) when a node connection has ended (closed, failed or replaced by the
    /// node's reconnect): requests written to it and not yet answered will get no answer from that node.
    /// </summary>
    event Action<string, long>? ConnectionClosed;
}

/// <summary>A send to a node that has no live connection.</summary>
public sealed class NodeNotConnectedException(string nodeAddress)
    : InvalidOperationException($"node {nodeAddress} is not connected to the gateway")
{
    public string NodeAddress { get; } = nodeAddress;
}
