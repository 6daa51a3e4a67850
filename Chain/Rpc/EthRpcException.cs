namespace CreAspire.Chain.Rpc;

/// <summary>The node answered a JSON-RPC call with an error object (code, message, optional revert data).</summary>
public sealed class EthRpcException : Exception
{
    public EthRpcException(string method, int code, string rpcMessage, byte[]? data)
        : base($"{method} failed: JSON-RPC error {code}: {rpcMessage}")
    {
        Method = method;
        Code = code;
        RpcMessage = rpcMessage;
        RevertData = data;
    }

    public EthRpcException() { }

    public EthRpcException(string message) : base(message) { }

    public EthRpcException(string message, Exception innerException) : base(message, innerException) { }

    public string Method { get; } = "";

    public int Code { get; }

    public string RpcMessage { get; } = "";

    /// <summary>Revert data (selector + ABI-encoded arguments) when the error is an EVM revert.</summary>
    public byte[]? RevertData { get; }
}
