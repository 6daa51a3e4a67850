using CreAspire.Protocol.JsonRpc;

namespace CreAspire.RelayNode.Relay;

/// <summary>What a gateway connector hands each forwarded request to; always returns a response (never throws for a bad request).</summary>
public interface IGatewayRequestHandler
{
    Task<JsonRpcResponse> HandleAsync(JsonRpcRequest request, CancellationToken cancellationToken);
}
