using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreAspire.Protocol.JsonRpc;

/// <summary>JSON-RPC 2.0 request (chainlink-common jsonrpc2.Request shape).</summary>
public sealed record JsonRpcRequest
{
    [JsonPropertyName("jsonrpc"), JsonPropertyOrder(0)]
    public string JsonRpc { get; init; } = "2.0";

    [JsonPropertyName("id"), JsonPropertyOrder(1)]
    public string Id { get; init; } = "";

    [JsonPropertyName("method"), JsonPropertyOrder(2)]
    public string Method { get; init; } = "";

    [JsonPropertyName("params"), JsonPropertyOrder(3), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Params { get; init; }
}

/// <summary>JSON-RPC 2.0 response; <see cref="Method"/> is echoed as in the original gateway.</summary>
public sealed record JsonRpcResponse
{
    [JsonPropertyName("jsonrpc"), JsonPropertyOrder(0)]
    public string JsonRpc { get; init; } = "2.0";

    [JsonPropertyName("id"), JsonPropertyOrder(1)]
    public string Id { get; init; } = "";

    [JsonPropertyName("method"), JsonPropertyOrder(2), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Method { get; init; }

    [JsonPropertyName("result"), JsonPropertyOrder(3), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Result { get; init; }

    [JsonPropertyName("error"), JsonPropertyOrder(4), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonRpcError? Error { get; init; }

    public static JsonRpcResponse Success<T>(string id, string? method, T result) =>
        new() { Id = id, Method = method, Result = JsonSerializer.SerializeToElement(result, RelayJson.Options) };

    public static JsonRpcResponse Failure(string id, string? method, int code, string message) =>
        new() { Id = id, Method = method, Error = new JsonRpcError(code, message) };
}

/// <summary>JSON-RPC 2.0 error object.</summary>
public sealed record JsonRpcError(
    [property: JsonPropertyName("code"), JsonPropertyOrder(0)] int Code,
    [property: JsonPropertyName("message"), JsonPropertyOrder(1)] string Message)
{
    [JsonPropertyName("data"), JsonPropertyOrder(2), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public JsonElement? Data { get; init; }
}

/// <summary>Error codes of chainlink-common pkg/jsonrpc2.</summary>
public static class JsonRpcErrorCodes
{
    public const int Parse = -32700;
    public const int InvalidRequest = -32600;
    public const int MethodNotFound = -32601;
    public const int InvalidParams = -32602;
    public const int Internal = -32603;
    public const int ServerOverloaded = -32000;
    public const int Unknown = -32001;
    public const int LimitExceeded = -32002;
    public const int Conflict = -32003;

    /// <summary>The gateway's RequestTimeoutError (shares -32000 with ServerOverloaded, HTTP 504).</summary>
    public const int RequestTimeout = -32000;
}
