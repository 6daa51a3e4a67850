using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using CreAspire.Enclave.Identity;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Telemetry;

namespace CreAspire.Enclave.Relay;

/// <summary>
/// The enclave's only way out: JSON-RPC over HTTP POST to the gateway's user endpoint (c-c-c gateway/client.go).
/// Every call gets a fresh UUID id and its own timeout; a JSON-RPC error is terminal and becomes a <see cref="RelayGatewayException"/>.
/// As in the original, the body is also attested in <c>X-Attestation-Document</c> (domain "GatewayRequest"); the gateway
/// does not check it, the relay checks the attestation inside the params.
/// </summary>
public sealed class RelayGatewayClient(HttpClient http, EnclaveAttestor attestor, IOptions<EnclaveOptions> options, IConfiguration configuration)
{
    public const string AttestationHeader = "X-Attestation-Document";
    public const string GatewayRequestDomain = "GatewayRequest";

    private readonly Uri _endpoint = ResolveEndpoint(options.Value, configuration);
    private readonly TimeSpan _timeout = options.Value.GatewayTimeout;

    public Uri Endpoint => _endpoint;

    /// <summary>
    /// One relay call. Span enclave.relay_call (client) names the JSON-RPC id, which is the gateway's request id and the
    /// reference id relay nodes pass on; the trace context goes to the gateway in the HTTP headers (HttpClient adds
    /// traceparent), never in the params: the attestation covers the params, and every relay must see the same bytes.
    /// </summary>
    public async Task<TResult> CallAsync<TParams, TResult>(string method, TParams parameters, CancellationToken cancellationToken)
    {
        var request = new JsonRpcRequest
        {
            Id = Guid.NewGuid().ToString(),
            Method = method,
            Params = JsonSerializer.SerializeToElement(parameters, RelayJson.Options),
        };
        using var activity = EnclaveTelemetry.Source.HasListeners() ? EnclaveTelemetry.Source.StartActivity("enclave.relay_call " + method, ActivityKind.Client) : null;
        activity?.SetTag(TelemetryTags.RpcMethod, method).SetTag(TelemetryTags.RequestId, request.Id);
        try
        {
            return await CallCoreAsync<TResult>(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (activity is not null)
        {
            activity.Fail(ex);
            throw;
        }
    }

    private async Task<TResult> CallCoreAsync<TResult>(JsonRpcRequest request, CancellationToken cancellationToken)
    {
        var method = request.Method;

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        string body;
        int status;
        try
        {
            var requestBody = JsonSerializer.SerializeToUtf8Bytes(request, RelayJson.Options);
            using var content = new ByteArrayContent(requestBody);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var message = new HttpRequestMessage(HttpMethod.Post, _endpoint) { Content = content };
            message.Headers.Add(AttestationHeader, attestor.AttestBase64(GatewayRequestDomain, requestBody));
            using var response = await http.SendAsync(message, timeout.Token).ConfigureAwait(false);
            status = (int)response.StatusCode;
            body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RelayGatewayException($"gateway at {_endpoint} did not answer {method} within {_timeout}");
        }
        catch (HttpRequestException ex)
        {
            throw new RelayGatewayException($"gateway at {_endpoint} is unreachable for {method}: {ex.Message}", ex);
        }

        var answer = TryParse(body);
        if (answer is null)
        {
            throw new RelayGatewayException($"gateway at {_endpoint} answered {method} with HTTP {status} and no JSON-RPC response: {Truncate(body)}");
        }

        if (answer.Error is { } error)
        {
            throw new RelayGatewayException($"gateway answered {method} with JSON-RPC error {error.Code}: {error.Message}");
        }

        if (answer.Id != request.Id)
        {
            throw new RelayGatewayException($"gateway answered {method} request {request.Id} with the response of request {answer.Id}");
        }

        return answer.Result is { } result && result.Deserialize<TResult>(RelayJson.Options) is { } typed
            ? typed
            : throw new RelayGatewayException($"gateway answered {method} with HTTP {status} but no result");
    }

    private static JsonRpcResponse? TryParse(string body)
    {
        try
        {
            return JsonSerializer.Deserialize<JsonRpcResponse>(body, RelayJson.Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Uri ResolveEndpoint(EnclaveOptions options, IConfiguration configuration)
    {
        if (!string.IsNullOrWhiteSpace(options.GatewayUrl))
        {
            return new Uri(options.GatewayUrl, UriKind.Absolute);
        }

        var baseUrl = configuration[EnclaveOptions.GatewayServiceKey]
            ?? throw new InvalidOperationException("the gateway URL is not configured: set Enclave:GatewayUrl or services__gateway__http__0");
        return new Uri(new Uri(baseUrl, UriKind.Absolute), options.GatewayPath);
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";
}

/// <summary>A relay call through the gateway failed (transport, timeout, HTTP or JSON-RPC error).</summary>
public sealed class RelayGatewayException(string message, Exception? inner = null) : Exception(message, inner);
