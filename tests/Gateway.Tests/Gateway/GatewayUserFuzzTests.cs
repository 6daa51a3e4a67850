using System.Net;
using System.Text;
using System.Text.Json;
using CreAspire.Fuzzing;
using CreAspire.Gateway.Routing;
using CreAspire.Gateway.Tests.Relay;
using CreAspire.Gateway.Tests.Support;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using Xunit.Abstractions;

namespace CreAspire.Gateway.Tests.Gateway;

/// <summary>
/// Mutated user messages against a real gateway with 4 relay nodes (F=1) connected over WebSockets: every answer must
/// be a JSON-RPC 2.0 response (an array for a batch) with the id as sent (or null), a known error code with a sentence
/// and the HTTP status of that code; afterwards the gateway still answers a valid request and holds no request.
/// </summary>
public sealed class GatewayUserFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly int[] KnownCodes =
    [
        JsonRpcErrorCodes.Parse, JsonRpcErrorCodes.InvalidRequest, JsonRpcErrorCodes.MethodNotFound, JsonRpcErrorCodes.InvalidParams,
        JsonRpcErrorCodes.Internal, JsonRpcErrorCodes.ServerOverloaded, JsonRpcErrorCodes.LimitExceeded, JsonRpcErrorCodes.Conflict,
    ];

    private readonly TestDon _don = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(60) };
    private GatewayHost _gateway = null!;
    private ConnectedRelays _relays = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayHost.StartAsync(_don);
        _relays = await ConnectedRelays.StartHonestAsync(_gateway, _don);
    }

    public async Task DisposeAsync()
    {
        await _relays.DisposeAsync();
        await _gateway.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task Mutated_user_requests_and_batches_get_JSON_RPC_answers_and_the_gateway_keeps_serving()
    {
        var valid = ValidRequest("u-1");
        var single = JsonMutations.Systematic(valid).Concat(JsonMutations.Random(valid, 1200, seed: 1807));
        var batches = JsonMutations.Random($"[{valid},{ValidRequest("u-2")}]", 300, seed: 1808).Concat(JsonMutations.Systematic($"[{valid}]").Take(150));
        var noise = Mutations.Noise(300, 300, seed: 1809).Concat(Mutations.Truncations(Encoding.UTF8.GetBytes(valid)).Where((_, i) => i % 7 == 0));

        // Each mutant gets its own ids, so concurrent mutants do not collide as duplicate requests.
        var inputs = single.Concat(batches).Concat(noise).Select((m, i) => m with { Bytes = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(m.Bytes).Replace("\"u-", $"\"u{i}-", StringComparison.Ordinal)) });

        var tally = await FuzzTally.RunAsync("gateway: user messages", inputs, PostAsync, concurrency: 8);

        tally.Report(output).AssertClean();
        Assert.True(tally.Refusals.ContainsKey("result"), "some mutants (e.g. an unknown member) are still valid requests and must succeed");
        var (status, answer) = await PostAsync(ValidRequest("after-fuzz"));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(answer.TryGetProperty("result", out _), answer.GetRawText());
        await Eventually.TrueAsync(() => _gateway.RelayHandler.ActiveRequestCount == 0, "no user request is left in flight");
        Assert.Equal(_don.Nodes.Count, _gateway.Connections.ConnectedNodes.Count);
    }

    private static string ValidRequest(string id) =>
        JsonSerializer.Serialize(RelayRequests.Request(id, RelayMethods.CapabilityExecute, RelayRequests.Attested(RelayRequests.CapabilityParams("hello"))), RelayJson.Options);

    private async Task<(HttpStatusCode Status, JsonElement Answer)> PostAsync(string body)
    {
        using var response = await _http.PostAsync(_gateway.BaseAddress, new StringContent(body, Encoding.UTF8, "application/json"));
        using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());
        return (response.StatusCode, document.RootElement.Clone());
    }

    private async Task<FuzzResult> PostAsync(Mutant input)
    {
        HttpStatusCode status;
        byte[] body;
        try
        {
            using var content = new ByteArrayContent(input.Bytes);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await _http.PostAsync(_gateway.BaseAddress, content);
            status = response.StatusCode;
            body = await response.Content.ReadAsByteArrayAsync();
        }
        catch (HttpRequestException ex)
        {
            return FuzzResult.Wrong($"the gateway dropped the connection: {ex.Message}");
        }

        JsonElement answer;
        try
        {
            using var document = JsonDocument.Parse(body);
            answer = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return FuzzResult.Wrong($"HTTP {(int)status} answer is not JSON: {Encoding.UTF8.GetString(body)}");
        }

        var requests = Requests(input.Bytes);
        if (requests is { Length: > 0 and <= 100 } && !IsParseError(answer))
        {
            if (answer.ValueKind != JsonValueKind.Array || answer.GetArrayLength() != requests.Length || status != HttpStatusCode.OK)
            {
                return FuzzResult.Wrong($"a batch of {requests.Length} got HTTP {(int)status} {answer.GetRawText()}");
            }

            var wrong = answer.EnumerateArray().Select((a, i) => Check(a, requests[i], null)).FirstOrDefault(r => r.Kind == FuzzResultKind.Escaped);
            return wrong.Kind == FuzzResultKind.Escaped ? wrong : FuzzResult.Refused("batch answered", "ok");
        }

        return Check(answer, requests is null ? SingleRequest(input.Bytes) : null, status);
    }

    /// <summary>One answer: a JSON-RPC 2.0 response whose id echoes the request's, a known code with a sentence, the status of that code.</summary>
    private static FuzzResult Check(JsonElement answer, JsonElement? request, HttpStatusCode? status)
    {
        if (answer.ValueKind != JsonValueKind.Object || !answer.TryGetProperty("jsonrpc", out var version) || version.ValueKind != JsonValueKind.String || version.GetString() != "2.0")
        {
            return FuzzResult.Wrong($"not a JSON-RPC 2.0 response: {answer.GetRawText()}");
        }

        if (!answer.TryGetProperty("id", out var id) || id.ValueKind is not (JsonValueKind.String or JsonValueKind.Number or JsonValueKind.Null))
        {
            return FuzzResult.Wrong($"answer has no string, number or null id: {answer.GetRawText()}");
        }

        if (request is { ValueKind: JsonValueKind.Object } sent && sent.TryGetProperty("id", out var sentId) && sentId.ValueKind is JsonValueKind.String or JsonValueKind.Number
            && id.ValueKind != JsonValueKind.Null && id.GetRawText() != sentId.GetRawText() && !(sentId.ValueKind == JsonValueKind.String && id.ValueKind == JsonValueKind.String && id.GetString() == sentId.GetString()))
        {
            return FuzzResult.Wrong($"answer id {id.GetRawText()} is not the request's {sentId.GetRawText()}");
        }

        if (answer.TryGetProperty("result", out _))
        {
            return status is null or HttpStatusCode.OK ? FuzzResult.Refused("result", "ok") : FuzzResult.Wrong($"a result with HTTP {(int)status}");
        }

        if (!answer.TryGetProperty("error", out var error) || !error.TryGetProperty("code", out var code) || !code.TryGetInt32(out var number) || !KnownCodes.Contains(number)
            || !error.TryGetProperty("message", out var message) || message.ValueKind != JsonValueKind.String)
        {
            return FuzzResult.Wrong($"answer has neither a result nor an error with a known code and a message: {answer.GetRawText()}");
        }

        if (status is { } http && (int)http != GatewayErrors.HttpStatusFor(number))
        {
            return FuzzResult.Wrong($"error {number} travelled with HTTP {(int)http}, not {GatewayErrors.HttpStatusFor(number)}");
        }

        return FuzzResult.Refused($"error {number}", message.GetString());
    }

    /// <summary>A body the gateway could not read as JSON text (a lone surrogate) is answered as one parse error, also for a batch.</summary>
    private static bool IsParseError(JsonElement answer) =>
        answer.ValueKind == JsonValueKind.Object && answer.TryGetProperty("error", out var error) && error.TryGetProperty("code", out var code)
        && code.TryGetInt32(out var number) && number == JsonRpcErrorCodes.Parse;

    /// <summary>The requests of a batch body; null when the body is not a JSON array.</summary>
    private static JsonElement[]? Requests(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Array ? [.. document.RootElement.EnumerateArray().Select(e => e.Clone())] : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonElement? SingleRequest(byte[] body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
