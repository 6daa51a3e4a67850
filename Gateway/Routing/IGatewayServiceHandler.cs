using CreAspire.Protocol.JsonRpc;

namespace CreAspire.Gateway.Routing;

/// <summary>
/// A gateway service (the method prefix before the first dot). The user endpoint hands it requests; node connections
/// hand it node responses whose method belongs to it.
/// </summary>
public interface IGatewayServiceHandler
{
    string ServiceName { get; }

    IReadOnlyCollection<string> Methods { get; }

    /// <summary>Completes exactly once with the response for the user and its HTTP status.</summary>
    Task<GatewayUserResponse> HandleUserRequestAsync(JsonRpcRequest request, CancellationToken cancellationToken);

    NodeMessageOutcome HandleNodeMessage(JsonRpcResponse response, string nodeAddress);
}

/// <summary>The response a user receives and the HTTP status it travels with.</summary>
public sealed record GatewayUserResponse(JsonRpcResponse Response, int HttpStatus)
{
    public static GatewayUserResponse Error(JsonRpcRequest request, int code, string message) =>
        new(JsonRpcResponse.Failure(request.Id, request.Method, code, message), GatewayErrors.HttpStatusFor(code));

    public static GatewayUserResponse From(JsonRpcResponse response) =>
        new(response, response.Error is { } error ? GatewayErrors.HttpStatusFor(error.Code) : StatusCodes.Status200OK);
}

/// <summary>What happened to one node message (logged; tests assert on it).</summary>
public enum NodeMessageOutcome
{
    Accepted,
    CompletedRequest,
    UnknownNode,
    RateLimited,
    UnknownRequest,
    DuplicateResponse,

    /// <summary>The response cannot be canonicalized (it holds text that is not Unicode), so it cannot vote; dropped.</summary>
    Undecodable,
}

/// <summary>JSON-RPC error code → HTTP status, as in the original gateway's api/constants.go.</summary>
public static class GatewayErrors
{
    public static int HttpStatusFor(int code) => code switch
    {
        0 => StatusCodes.Status200OK,
        JsonRpcErrorCodes.Parse => StatusCodes.Status400BadRequest,
        JsonRpcErrorCodes.InvalidRequest => StatusCodes.Status400BadRequest,
        JsonRpcErrorCodes.InvalidParams => StatusCodes.Status400BadRequest,
        JsonRpcErrorCodes.MethodNotFound => StatusCodes.Status400BadRequest,
        JsonRpcErrorCodes.RequestTimeout => StatusCodes.Status504GatewayTimeout,
        JsonRpcErrorCodes.LimitExceeded => StatusCodes.Status429TooManyRequests,
        JsonRpcErrorCodes.Conflict => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status500InternalServerError,
    };
}
