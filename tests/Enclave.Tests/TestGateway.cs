using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using CreAspire.Attestation;
using CreAspire.Attestation.Nitro;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Secrets;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CreAspire.Enclave.Tests;

/// <summary>
/// A stand-in for gateway + relay DON on loopback: speaks the relay JSON-RPC, verifies every attestation with the
/// real verifier, answers secrets sealed to the enclave's key (as the vault does) and capability calls; also serves
/// workflow artifacts under /artifacts/{name}.
/// </summary>
public sealed class TestGateway : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly NitroAttestationVerifier _verifier;

    private TestGateway(WebApplication app, NitroAttestationVerifier verifier)
    {
        _app = app;
        _verifier = verifier;
    }

    public Uri BaseUrl { get; private set; } = null!;

    public ConcurrentDictionary<string, string> Secrets { get; } = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, byte[]> Artifacts { get; } = new(StringComparer.Ordinal);

    /// <summary>Capability calls that passed attestation, as the relay would forward them.</summary>
    public ConcurrentQueue<(CapabilityRequestParams Params, CapabilityRequest Request)> CapabilityCalls { get; } = new();

    public ConcurrentQueue<SecretsRequestParams> SecretCalls { get; } = new();

    public ConcurrentQueue<string> RejectedAttestations { get; } = new();

    /// <summary>Requests still to be refused as a gateway without connected relays refuses them (HTTP 503).</summary>
    public int RefuseNext;

    /// <summary>The traceparent header of every request that arrived (path, header or null), in arrival order.</summary>
    public ConcurrentQueue<(string Path, string? TraceParent)> TraceParents { get; } = new();

    public static async Task<TestGateway> StartAsync(string caRootsPem, string trustedPcrsJson)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var gateway = new TestGateway(app, NitroAttestationVerifier.FromPem(caRootsPem, trustedPcrsJson));
        app.Use((context, next) =>
        {
            gateway.TraceParents.Enqueue((context.Request.Path, context.Request.Headers.TraceParent.FirstOrDefault()));
            return next(context);
        });
        app.MapPost("/", gateway.HandleAsync);
        app.MapGet("/artifacts/{name}", (string name) =>
            gateway.Artifacts.TryGetValue(name, out var bytes) ? Results.Bytes(bytes, "text/plain") : Results.NotFound());
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        gateway.BaseUrl = new Uri(address);
        return gateway;
    }

    public string ArtifactUrl(string name) => new Uri(BaseUrl, $"/artifacts/{name}").ToString();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task<IResult> HandleAsync(HttpRequest http)
    {
        using var buffer = new MemoryStream();
        await http.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var request = JsonSerializer.Deserialize<JsonRpcRequest>(body, RelayJson.Options);
        if (request?.Params is not { } parameters)
        {
            return Results.BadRequest();
        }

        if (Interlocked.Decrement(ref RefuseNext) >= 0)
        {
            return Results.Json(JsonRpcResponse.Failure(request.Id, request.Method, JsonRpcErrorCodes.Internal, "no relay node is connected"), RelayJson.Options, statusCode: 503);
        }

        try
        {
            _verifier.VerifyBase64(http.Headers["X-Attestation-Document"].ToString(), DomainHash.Compute("GatewayRequest", body));
            return request.Method switch
            {
                RelayMethods.SecretsGet => Results.Json(JsonRpcResponse.Success(request.Id, request.Method, GetSecrets(parameters.Deserialize<SecretsRequestParams>(RelayJson.Options)!)), RelayJson.Options),
                RelayMethods.CapabilityExecute => Results.Json(JsonRpcResponse.Success(request.Id, request.Method, Execute(parameters.Deserialize<CapabilityRequestParams>(RelayJson.Options)!)), RelayJson.Options),
                _ => Results.Json(JsonRpcResponse.Failure(request.Id, request.Method, JsonRpcErrorCodes.MethodNotFound, $"unknown method {request.Method}"), RelayJson.Options),
            };
        }
        catch (JsonRpcAnswerException ex)
        {
            return Results.Json(JsonRpcResponse.Failure(request.Id, request.Method, JsonRpcErrorCodes.Internal, ex.Message), RelayJson.Options);
        }
        catch (NitroAttestationException ex)
        {
            RejectedAttestations.Enqueue($"{ex.Failure}: {ex.Message}");
            return Results.Json(JsonRpcResponse.Failure(request.Id, request.Method, JsonRpcErrorCodes.Internal, $"attestation rejected: {ex.Message}"), RelayJson.Options);
        }
    }

    private SecretsResponseResult GetSecrets(SecretsRequestParams parameters)
    {
        _verifier.VerifyBase64(parameters.Attestation!, DomainHash.Compute(RelayMethods.DomainSecretsGet, RelayJson.AttestedBytes(parameters)));
        SecretCalls.Enqueue(parameters);
        if (parameters.Secrets.FirstOrDefault(id => !Secrets.ContainsKey(id.Key)) is { } missing)
        {
            // What the relays answer when the vault does not hold a secret (RelayNode's VaultResponseTranslator).
            throw new JsonRpcAnswerException($"vault could not return secret '{missing.Key}' in namespace '{missing.Namespace}': secret not found: owner {parameters.Owner.ToLowerInvariant()}, namespace {missing.Namespace}, key {missing.Key}");
        }

        var enclaveKey = Convert.FromHexString(parameters.EnclavePublicKey);
        var entries = parameters.Secrets.Select(id =>
        {
            // The vault's convention: associated data "<owner lower-case 0x>/<namespace>/<key>".
            var associatedData = Encoding.UTF8.GetBytes($"{parameters.Owner.ToLowerInvariant()}/{id.Namespace}/{id.Key}");
            var box = SecretSealer.Seal(enclaveKey, Encoding.UTF8.GetBytes(Secrets[id.Key]), Encoding.UTF8.GetBytes(parameters.ExecutionId + id.Key), associatedData);
            return new SecretEntry(id, Convert.ToBase64String(box), []);
        }).ToArray();
        return new SecretsResponseResult(entries);
    }

    private CapabilityResponseResult Execute(CapabilityRequestParams parameters)
    {
        _verifier.VerifyBase64(parameters.Attestation!, DomainHash.Compute(RelayMethods.DomainCapabilityExecute, RelayJson.AttestedBytes(parameters)));
        var request = CapabilityRequest.Parser.ParseFrom(Convert.FromBase64String(parameters.Payload));
        CapabilityCalls.Enqueue((parameters, request));
        if (parameters.CapabilityId == TestWorkflows.FailingCapability)
        {
            return new CapabilityResponseResult { Error = "mock capability refused the input" };
        }

        var input = request.Payload.Unpack<StringValue>().Value;
        var response = new CapabilityResponse { Payload = Any.Pack(new StringValue { Value = $"mock saw {input}" }) };
        return new CapabilityResponseResult { Payload = Convert.ToBase64String(response.ToByteArray()) };
    }
}

/// <summary>A JSON-RPC error answer of the stand-in relays.</summary>
internal sealed class JsonRpcAnswerException(string message) : Exception(message);
