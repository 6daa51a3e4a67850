using System.Net.WebSockets;
using CreAspire.Protocol.Gateway;
using CreAspire.Gateway.Relay;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Telemetry;
using StreamJsonRpc;

namespace CreAspire.Gateway.Connections;

/// <summary>One authenticated node WebSocket carrying StreamJsonRpc (see <see cref="GatewayConnectorProtocol"/>).</summary>
public sealed class NodeConnection : IAsyncDisposable
{
    private static long _lastId;

    private readonly WebSocket _socket;
    private readonly JsonRpc _rpc;

    public NodeConnection(string nodeAddress, WebSocket socket, Action<JsonRpcResponse, string> onNodeResponse, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(onNodeResponse);
        NodeAddress = nodeAddress;
        _socket = socket;
        _rpc = new JsonRpc(new WebSocketMessageHandler(socket, new SystemTextJsonFormatter()))
        {
            ActivityTracingStrategy = GatewayTelemetry.NodeTraceContext,
        };
        _rpc.AddLocalRpcMethod(GatewayConnectorProtocol.NodeResponseMethod, new Action<JsonRpcResponse>(response =>
        {
            GatewayTelemetry.CurrentNodeResponseSpan()?.SetTag(TelemetryTags.PeerAddress, NodeAddress).SetTag(TelemetryTags.RequestId, response.Id);
            onNodeResponse(response, NodeAddress);
        }));
        _rpc.AddLocalRpcMethod(GatewayConnectorProtocol.HeartbeatMethod, new Func<long>(() =>
        {
            LastHeartbeat = timeProvider.GetUtcNow();
            return LastHeartbeat.ToUnixTimeMilliseconds();
        }));
        LastHeartbeat = timeProvider.GetUtcNow();
    }

    public string NodeAddress { get; }

    /// <summary>Unique per connection in this process (a reconnecting node gets a new one).</summary>
    public long Id { get; } = Interlocked.Increment(ref _lastId);

    public DateTimeOffset LastHeartbeat { get; private set; }

    /// <summary>Completes when the connection ends (node closed it, transport failed, or it was replaced).</summary>
    public Task Completion => _rpc.Completion;

    /// <summary>
    /// Starts reading. The read loop serves every message of the connection, so it must not run in the activity of the
    /// node's WebSocket upgrade request: a span started without a context of its own would join that request's trace.
    /// </summary>
    public void Start()
    {
        using (ExecutionContext.SuppressFlow())
        {
            _rpc.StartListening();
        }
    }

    public async Task<long> SendAsync(JsonRpcRequest request, CancellationToken cancellationToken)
    {
        await _rpc.NotifyAsync(GatewayConnectorProtocol.ForwardRequestMethod, request).WaitAsync(cancellationToken).ConfigureAwait(false);
        return Id;
    }

    public async ValueTask DisposeAsync()
    {
        _rpc.Dispose();
        try
        {
            await _rpc.Completion.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ConnectionLostException or WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The connection is going away; how it ended is already logged by the manager.
        }

        _socket.Dispose();
    }
}
