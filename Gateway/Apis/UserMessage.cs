using System.Text.Json;
using CreAspire.Protocol.Json;
using CreAspire.Protocol.JsonRpc;

namespace CreAspire.Gateway.Apis;

/// <summary>
/// One request of a user message, read and checked against JSON-RPC 2.0: the request to route (its id is the string id,
/// or a number id's JSON text), or else the <see cref="Error"/> to answer with. <see cref="AnswerId"/> is the id as the
/// client wrote it (a string or a number, echoed as given), or null when there is no usable id (<c>"id": null</c>).
/// </summary>
internal sealed record UserRequest(JsonElement? AnswerId, string? Method, JsonRpcRequest? Request, JsonRpcError? Error);

/// <summary>A user message: one request object or a batch (a JSON array of requests, answered with an array).</summary>
internal sealed record UserMessage(IReadOnlyList<UserRequest> Requests, bool IsBatch);

/// <summary>
/// Reads the user endpoint's body as JSON-RPC 2.0 (https://www.jsonrpc.org/specification): not JSON → Parse error;
/// an empty batch, or a request that is not an object, lacks <c>"jsonrpc": "2.0"</c>, has no string or number id, no
/// method, or params that are neither an object nor an array → Invalid Request, each with a sentence saying what is
/// wrong. Unknown members (the original's <c>auth</c>) are ignored.
/// </summary>
internal static class UserMessageReader
{
    /// <summary>Requests one batch may carry; each fans out to the whole relay DON.</summary>
    public const int MaxBatchRequests = 100;

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    public static UserMessage Read(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException ex)
        {
            return Single(Refused(JsonRpcErrorCodes.Parse, $"request body is not valid JSON: {ex.Message}"));
        }

        using (document)
        {
            var root = document.RootElement;
            if (FirstNonUnicodeString(root) is { } where)
            {
                return Single(Refused(JsonRpcErrorCodes.Parse, $"request body is not valid JSON text: {where} escapes a lone UTF-16 surrogate (such as \\ud800), which is not Unicode"));
            }

            if (root.ValueKind != JsonValueKind.Array)
            {
                return Single(ReadRequest(root));
            }

            var count = root.GetArrayLength();
            if (count == 0)
            {
                return Single(Refused(JsonRpcErrorCodes.InvalidRequest, "an empty batch is not a JSON-RPC request; send at least one request"));
            }

            if (count > MaxBatchRequests)
            {
                return Single(Refused(JsonRpcErrorCodes.InvalidRequest, $"a batch of {count} requests exceeds the limit of {MaxBatchRequests}; split it into smaller batches"));
            }

            return new UserMessage([.. root.EnumerateArray().Select(ReadRequest)], IsBatch: true);
        }
    }

    /// <summary>The error answer for a failure that concerns the whole message (body too large, unreadable).</summary>
    public static UserMessage Refusal(int code, string message) => Single(Refused(code, message));

    private static UserRequest ReadRequest(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return Refused(JsonRpcErrorCodes.InvalidRequest, $"a JSON-RPC request must be an object, not {JsonKinds.Describe(element.ValueKind)}");
        }

        JsonElement? answerId = element.TryGetProperty("id", out var id) && id.ValueKind is JsonValueKind.String or JsonValueKind.Number ? id.Clone() : null;
        if (!element.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || !version.ValueEquals("2.0"))
        {
            return Refused(JsonRpcErrorCodes.InvalidRequest, "request must carry \"jsonrpc\": \"2.0\"; this gateway speaks JSON-RPC 2.0 only", answerId);
        }

        if (answerId is null)
        {
            return Refused(JsonRpcErrorCodes.InvalidRequest, element.TryGetProperty("id", out var wrongId)
                ? $"request id must be a string or a number, not {JsonKinds.Describe(wrongId.ValueKind)}"
                : "request has no \"id\"; this gateway answers every request and takes no notifications: add a string or number id");
        }

        var routingId = answerId.Value.ValueKind == JsonValueKind.String ? answerId.Value.GetString()! : answerId.Value.GetRawText();
        if (routingId.Length is 0 or > 200)
        {
            return Refused(JsonRpcErrorCodes.InvalidRequest, "request id is required and must be at most 200 characters", answerId);
        }

        if (!element.TryGetProperty("method", out var method) || method.ValueKind != JsonValueKind.String || method.GetString() is not { Length: > 0 } methodName)
        {
            return Refused(JsonRpcErrorCodes.InvalidRequest, "request has no \"method\" string; name the method to call, e.g. confidential.secrets.get", answerId);
        }

        JsonElement? parameters = null;
        if (element.TryGetProperty("params", out var given) && given.ValueKind != JsonValueKind.Null)
        {
            if (given.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
            {
                return Refused(JsonRpcErrorCodes.InvalidRequest, $"request params must be an object or an array, not {JsonKinds.Describe(given.ValueKind)}", answerId, methodName);
            }

            parameters = given.Clone();
        }

        return new UserRequest(answerId, methodName, new JsonRpcRequest { Id = routingId, Method = methodName, Params = parameters }, null);
    }

    /// <summary>
    /// Where the first string or member name that does not decode to Unicode text is (JSON's grammar allows "\ud800"
    /// alone; reading it as a string throws), or null. Checked once for the whole body so no later read can throw.
    /// </summary>
    private static string? FirstNonUnicodeString(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                return Decodes(element.GetString) ? null : "a string";
            case JsonValueKind.Array:
                return element.EnumerateArray().Select(FirstNonUnicodeString).FirstOrDefault(w => w is not null);
            case JsonValueKind.Object:
                foreach (var member in element.EnumerateObject())
                {
                    if (!Decodes(() => member.Name))
                    {
                        return "a member name";
                    }

                    if (FirstNonUnicodeString(member.Value) is { } inValue)
                    {
                        return $"{inValue} in \"{member.Name}\"";
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static bool Decodes(Func<string?> read)
    {
        try
        {
            read();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static UserMessage Single(UserRequest request) => new([request], IsBatch: false);

    private static UserRequest Refused(int code, string message, JsonElement? answerId = null, string? method = null) =>
        new(answerId, method, null, new JsonRpcError(code, message));

}
