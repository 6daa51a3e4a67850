using System.Buffers;
using System.Text.Json;
using CreAspire.Gateway.Connections;
using CreAspire.Gateway.Routing;
using CreAspire.Protocol.JsonRpc;
using Microsoft.Extensions.Options;

namespace CreAspire.Gateway.Apis;

/// <summary>The user endpoint: POST / with a JSON-RPC 2.0 request, routed by the method's service prefix.</summary>
public static class UserApi
{
    public static IEndpointRouteBuilder MapUserApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapPost("/", HandleAsync);
        return app;
    }

    private static async Task HandleAsync(HttpContext context, IEnumerable<IGatewayServiceHandler> handlers, IOptions<GatewayOptions> options, TimeProvider timeProvider)
    {
        var response = await ProcessAsync(context, handlers, options.Value, timeProvider);
        context.Response.StatusCode = response.HttpStatus;
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(context.Response.Body, response.Response, RelayJson.Options, context.RequestAborted);
    }

    private static async Task<GatewayUserResponse> ProcessAsync(HttpContext context, IEnumerable<IGatewayServiceHandler> handlers, GatewayOptions options, TimeProvider timeProvider)
    {
        var empty = new JsonRpcRequest();
        var body = await ReadBodyAsync(context.Request, options.MaxRequestBytes, context.RequestAborted);
        if (body is null)
        {
            return GatewayUserResponse.Error(empty, JsonRpcErrorCodes.InvalidRequest, $"request body exceeds the {options.MaxRequestBytes}-byte limit");
        }

        JsonRpcRequest? request;
        try
        {
            request = JsonSerializer.Deserialize<JsonRpcRequest>(body.Value.Span, RelayJson.Options);
        }
        catch (JsonException ex)
        {
            return GatewayUserResponse.Error(empty, JsonRpcErrorCodes.Parse, $"request is not valid JSON-RPC: {ex.Message}");
        }

        if (request is null || request.JsonRpc != "2.0")
        {
            return GatewayUserResponse.Error(request ?? empty, JsonRpcErrorCodes.InvalidRequest, "request must be a JSON-RPC 2.0 object with \"jsonrpc\":\"2.0\"");
        }

        if (string.IsNullOrEmpty(request.Id) || request.Id.Length > 200)
        {
            return GatewayUserResponse.Error(request, JsonRpcErrorCodes.InvalidRequest, "request id is required and must be at most 200 characters");
        }

        var service = NodeConnectionManager.ServiceOf(request.Method);
        var handler = handlers.FirstOrDefault(h => h.ServiceName == service);
        if (handler is null)
        {
            return GatewayUserResponse.Error(request, JsonRpcErrorCodes.InvalidRequest, "Service name not found: " + service);
        }

        try
        {
            return await handler.HandleUserRequestAsync(request, context.RequestAborted).WaitAsync(options.UserRequestTimeout, timeProvider, context.RequestAborted);
        }
        catch (TimeoutException)
        {
            return GatewayUserResponse.Error(request, JsonRpcErrorCodes.RequestTimeout, $"handler timeout: no answer within {options.UserRequestTimeout.TotalSeconds}s");
        }
    }

    /// <summary>Reads at most <paramref name="limit"/> bytes into one growing buffer (sized from Content-Length when given); null when the body is larger.</summary>
    private static async Task<ReadOnlyMemory<byte>?> ReadBodyAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        var body = new ArrayBufferWriter<byte>(request.ContentLength is { } length && length > 0 ? (int)length + 1 : 1024);
        while (true)
        {
            var read = await request.Body.ReadAsync(body.GetMemory(), cancellationToken);
            if (read == 0)
            {
                return body.WrittenMemory;
            }

            if (body.WrittenCount + read > limit)
            {
                return null;
            }

            body.Advance(read);
        }
    }
}
