using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Nethereum.Signer;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Confidential;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Sdk;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Configuration;

namespace CreAspire.Protocol.Enclave;

/// <summary>Where the enclave is and how long a workflow node waits for it (quorum of the other nodes plus the run).</summary>
public sealed record ConfidentialWorkflowsOptions
{
    /// <summary>The enclave's base URL; when null the HttpClient's BaseAddress is used.</summary>
    public Uri? EnclaveUrl { get; init; }

    /// <summary>Longer than the enclave's quorum timeout plus an execution, so the enclave's own 504 arrives first.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);
}

/// <summary>
/// The workflow node's <c>confidential-workflows@1.0.0-alpha</c> capability: method "Execute" with payload
/// Any(ConfidentialWorkflowRequest). Signs the request bytes with the node key, POSTs it to the enclave's
/// <c>/requests</c> and returns Any(ConfidentialWorkflowResponse). Bad input is a <c>CapabilityResponse.error</c>;
/// an unreachable, failing or slow enclave throws <see cref="ConfidentialWorkflowsException"/>.
/// </summary>
public sealed class ConfidentialWorkflowsCapability : IExecutableCapability
{
    public const string RequestsPath = "/requests";

    private readonly HttpClient _http;
    private readonly EthECKey _nodeKey;
    private readonly ConfidentialWorkflowsOptions _options;
    private readonly Uri _requestsUrl;

    public ConfidentialWorkflowsCapability(HttpClient http, EthECKey nodeKey, ConfidentialWorkflowsOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(nodeKey);
        _http = http;
        _nodeKey = nodeKey;
        _options = options ?? new ConfidentialWorkflowsOptions();
        var baseUrl = _options.EnclaveUrl ?? http.BaseAddress
            ?? throw new ArgumentException("the enclave URL is unknown: set ConfidentialWorkflowsOptions.EnclaveUrl or the HttpClient's BaseAddress (services__enclave__http__0)", nameof(options));
        _requestsUrl = new Uri(baseUrl, RequestsPath);
    }

    public ConfidentialWorkflowsCapability(Uri enclaveUrl, NodeIdentity identity, ConfidentialWorkflowsOptions? options = null)
        : this(new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, (identity ?? throw new ArgumentNullException(nameof(identity))).Key, (options ?? new ConfidentialWorkflowsOptions()) with { EnclaveUrl = enclaveUrl })
    {
    }

    /// <summary>Aspire service-discovery key of the enclave's HTTP endpoint (services__enclave__http__0).</summary>
    public const string EnclaveServiceKey = "services:enclave:http:0";

    /// <summary>Optional override of <see cref="ConfidentialWorkflowsOptions.Timeout"/> (ConfidentialWorkflows__Timeout, e.g. 00:02:00).</summary>
    public const string TimeoutKey = "ConfidentialWorkflows:Timeout";

    public string Id => CapabilityIds.ConfidentialWorkflows;

    /// <summary>The capability as a workflow node registers it: enclave URL from services__enclave__http__0, node key from its identity.</summary>
    public static ConfidentialWorkflowsCapability FromConfiguration(IConfiguration configuration, NodeIdentity identity, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(identity);
        var url = configuration[EnclaveServiceKey];
        if (!Uri.TryCreate(url, UriKind.Absolute, out var enclaveUrl))
        {
            throw new InvalidOperationException($"services__enclave__http__0 = '{url}' is not an absolute URL; the AppHost must pass the enclave's endpoint to workflow nodes");
        }

        var options = new ConfidentialWorkflowsOptions { EnclaveUrl = enclaveUrl };
        if (configuration[TimeoutKey] is { Length: > 0 } timeout)
        {
            options = options with
            {
                Timeout = TimeSpan.TryParse(timeout, System.Globalization.CultureInfo.InvariantCulture, out var parsed) && parsed > TimeSpan.Zero
                    ? parsed
                    : throw new InvalidOperationException($"ConfidentialWorkflows:Timeout = '{timeout}' is not a positive time span (e.g. 00:02:00)"),
            };
        }

        return new ConfidentialWorkflowsCapability(http ?? new HttpClient { Timeout = Timeout.InfiniteTimeSpan }, identity.Key, options);
    }

    public async Task<CapabilityResponse> ExecuteAsync(CapabilityCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (call.Method != CapabilityIds.ExecuteMethod)
        {
            return Error($"{Id} has no method '{call.Method}'; the only method is '{CapabilityIds.ExecuteMethod}'");
        }

        if (call.Payload is null || !call.Payload.Is(ConfidentialWorkflowRequest.Descriptor))
        {
            return Error($"{Id} Execute expects an Any(ConfidentialWorkflowRequest) payload, got {call.Payload?.TypeUrl ?? "none"}");
        }

        var requestBytes = call.Payload.Value.ToByteArray();
        var request = ConfidentialWorkflowRequest.Parser.ParseFrom(requestBytes);
        // The application request id labels the request; a subscribe call may carry no execution id, so every honest
        // node falls back to the same deterministic label: the hash of the request bytes.
        var executionId = request.Execution?.ExecutionId is { Length: > 0 } id ? id
            : call.Metadata.WorkflowExecutionId is { Length: > 0 } metadataId ? metadataId
            : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(requestBytes));
        var signed = ComputeRequestSigning.Sign(_nodeKey, Id, executionId, requestBytes);
        var response = await PostAsync(signed, cancellationToken).ConfigureAwait(false);
        return new CapabilityResponse { Payload = Any.Pack(response) };
    }

    private async Task<ConfidentialWorkflowResponse> PostAsync(SignedComputeRequest signed, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            // "Enclave at capacity" (429) is the enclave asking us to come back: retry with backoff within the timeout, so a
            // burst of executions queues instead of failing. Every other status is final.
            var backoff = TimeSpan.FromMilliseconds(50);
            HttpResponseMessage response;
            while (true)
            {
                response = await _http.PostAsJsonAsync(_requestsUrl, signed, RelayJson.Options, timeout.Token).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.TooManyRequests)
                {
                    break;
                }

                response.Dispose();
                await Task.Delay(backoff, timeout.Token).ConfigureAwait(false);
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 1000));
            }

            using var answered = response;
            var body = await response.Content.ReadAsStringAsync(timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new ConfidentialWorkflowsException(response.StatusCode, $"enclave at {_requestsUrl} answered HTTP {(int)response.StatusCode}: {ProblemDetail(body)}");
            }

            var computeResponse = JsonSerializer.Deserialize<ComputeResponse>(body, RelayJson.Options);
            return computeResponse?.Response is { Length: > 0 } encoded
                ? ConfidentialWorkflowResponse.Parser.ParseFrom(Convert.FromBase64String(encoded))
                : throw new ConfidentialWorkflowsException(response.StatusCode, $"enclave at {_requestsUrl} answered without a response payload");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ConfidentialWorkflowsException(HttpStatusCode.GatewayTimeout, $"enclave at {_requestsUrl} did not answer within {_options.Timeout}");
        }
        catch (HttpRequestException ex)
        {
            throw new ConfidentialWorkflowsException(ex.StatusCode, $"enclave at {_requestsUrl} is unreachable: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidProtocolBufferException)
        {
            throw new ConfidentialWorkflowsException(HttpStatusCode.OK, $"enclave at {_requestsUrl} answered with an undecodable response: {ex.Message}", ex);
        }
    }

    /// <summary>The "detail" (else "title") of a ProblemDetails body, else the body itself.</summary>
    private static string ProblemDetail(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            foreach (var name in (string[])["detail", "title"])
            {
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
                {
                    return value.GetString()!;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the raw body is the best description there is.
        }

        return string.IsNullOrWhiteSpace(body) ? "(empty body)" : body;
    }

    private static CapabilityResponse Error(string message) => new() { Error = message };
}

/// <summary>The enclave could not be reached, failed the request, or did not answer in time.</summary>
public sealed class ConfidentialWorkflowsException(HttpStatusCode? statusCode, string message, Exception? inner = null)
    : Exception(message, inner)
{
    /// <summary>The enclave's HTTP status (504 on a client-side timeout); null when no HTTP answer arrived.</summary>
    public HttpStatusCode? StatusCode { get; } = statusCode;
}
