using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreAspire.Gateway.Connections;
using CreAspire.Gateway.Routing;
using CreAspire.Protocol.JsonRpc;
using Microsoft.Extensions.Options;

namespace CreAspire.Gateway.Apis;

/// <summary>
/// The user endpoint: POST / with a JSON-RPC 2.0 request (or a batch of them), routed by the method's service prefix.
/// Each answer carries the request's id as the client sent it; a batch is answered with an array, in request order.
/// </summary>
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
        var body = await ReadBodyAsync(context.Request, options.Value.MaxRequestBytes, context.RequestAborted);
        var message = body is null
            ? UserMessageReader.Refusal(JsonRpcErrorCodes.InvalidRequest, $"request body exceeds the {options.Value.MaxRequestBytes}-byte limit")
            : UserMessageReader.Read(body.Value);
        var answers = await Task.WhenAll(message.Requests.Select(request => AnswerAsync(request, context, handlers, options.Value, timeProvider)));

        // A batch is one HTTP answer for many requests: 200, each request's outcome is in its own answer.
        context.Response.StatusCode = message.IsBatch ? StatusCodes.Status200OK : answers[0].HttpStatus;
        context.Response.ContentType = "application/json";
        // Written into the response pipe (no synchronous stream writes), flushed once.
        await using var writer = new Utf8JsonWriter(context.Response.BodyWriter);
        if (message.IsBatch)
        {
            writer.WriteStartArray();
        }

        for (var i = 0; i < answers.Length; i++)
        {
            Write(writer, answers[i].Response, message.Requests[i].AnswerId);
        }

        if (message.IsBatch)
        {
            writer.WriteEndArray();
        }

        await writer.FlushAsync(context.RequestAborted);
        await context.Response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    private static async Task<GatewayUserResponse> AnswerAsync(UserRequest user, HttpContext context, IEnumerable<IGatewayServiceHandler> handlers, GatewayOptions options, TimeProvider timeProvider)
    {
        if (user.Request is not { } request)
        {
            var error = user.Error!;
            var id = user.AnswerId is { ValueKind: JsonValueKind.String } text ? text.GetString()! : "";
            return new GatewayUserResponse(JsonRpcResponse.Failure(id, user.Method, error.Code, error.Message), GatewayErrors.HttpStatusFor(error.Code));
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

    /// <summary>Writes the answer with the id as the client sent it: a string id as the answer has it, a number as the same number, else null.</summary>
    private static void Write(Utf8JsonWriter writer, JsonRpcResponse response, JsonElement? answerId)
    {
        if (answerId is { ValueKind: JsonValueKind.String })
        {
            JsonSerializer.Serialize(writer, response, RelayJson.Options);
            return;
        }

        var answer = JsonSerializer.SerializeToNode(response, RelayJson.Options)!.AsObject();
        answer["id"] = answerId is { } number ? JsonValue.Create(number) : null;
        answer.WriteTo(writer, RelayJson.Options);
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
