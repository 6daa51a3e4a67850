namespace CreAspire.RelayNode.Relay;

/// <summary>A request the relay refuses with a JSON-RPC error. The message goes to the caller verbatim, so it must be the same on every honest relay node.</summary>
public sealed class RelayRequestException(int code, string message) : Exception(message)
{
    public int Code { get; } = code;
}
