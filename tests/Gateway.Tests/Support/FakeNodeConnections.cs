using System.Collections.Concurrent;
using CreAspire.Gateway.Connections;
using CreAspire.Protocol.JsonRpc;

namespace CreAspire.Gateway.Tests.Support;

/// <summary>Node connections that record what the handler sent; tests deliver node responses by hand or through <see cref="OnSend"/>.</summary>
internal sealed class FakeNodeConnections : INodeConnections
{
    private readonly ConcurrentQueue<(string Node, JsonRpcRequest Request)> _sent = new();

    public HashSet<string> Disconnected { get; } = new(StringComparer.Ordinal);

    /// <summary>Called after each successful send (e.g. to answer asynchronously).</summary>
    public Action<string, JsonRpcRequest>? OnSend { get; set; }

    public IReadOnlyCollection<string> ConnectedNodes => [];

    public int SentCount => _sent.Count;

    public IReadOnlyList<(string Node, JsonRpcRequest Request)> Sent => [.. _sent];

    /// <summary>The connection id every send reports (one connection per node in this fake).</summary>
    public const long ConnectionId = 1;

    public event Action<string, long>? ConnectionClosed;

    public Task<long> SendAsync(string nodeAddress, JsonRpcRequest request, CancellationToken cancellationToken)
    {
        if (Disconnected.Contains(nodeAddress))
        {
            return Task.FromException<long>(new NodeNotConnectedException(nodeAddress));
        }

        _sent.Enqueue((nodeAddress, request));
        OnSend?.Invoke(nodeAddress, request);
        return Task.FromResult(ConnectionId);
    }

    /// <summary>Reports the node's connection as ended, as the real manager does when a WebSocket closes.</summary>
    public void Close(string nodeAddress) => ConnectionClosed?.Invoke(nodeAddress, ConnectionId);
}
