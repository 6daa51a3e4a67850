using System.Diagnostics;
using System.Text.Json;
using CreAspire.Attestation;
using CreAspire.Protocol;
using Nethereum.Util;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Telemetry;
using CreAspire.Protocol.Vault;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace CreAspire.RelayNode.Relay;

/// <summary>
/// The relay node's handler (the original's EnclaveRelayHandler): dispatch by exact method, validate params, verify the
/// attestation against DomainHash(tag, json(params without attestation)), and only then call vault@1.0.0 GetSecrets
/// or the requested capability. Every message that reaches the caller is deterministic across honest relay nodes;
/// unexpected failures become "internal error" and are logged here.
/// </summary>
public sealed partial class RelayRequestHandler(
    ICapabilityRegistry capabilities,
    IEnclaveAttestationVerifier attestationVerifier,
    IOptions<RelayOptions> options,
    ILogger<RelayRequestHandler> logger) : IGatewayRequestHandler
{
    public const string InternalErrorMessage = "internal error";

    /// <summary>
    /// Span relay.handle &lt;method&gt; (child of the connector's gateway.forward): validation, relay.verify_attestation,
    /// then the vault or capability call (don.call on the capability DON) under it.
    /// </summary>
    public async Task<JsonRpcResponse> HandleAsync(JsonRpcRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var activity = RelayTelemetry.Source.HasListeners() ? RelayTelemetry.Source.StartActivity("relay.handle " + request.Method) : null;
        activity?.SetTag(TelemetryTags.RequestId, request.Id).SetTag(TelemetryTags.RpcMethod, request.Method).SetTag(TelemetryTags.DonId, options.Value.DonId);
        try
        {
            return request.Method switch
            {
                RelayMethods.SecretsGet => JsonRpcResponse.Success(request.Id, request.Method, await GetSecretsAsync(request, cancellationToken)),
                RelayMethods.CapabilityExecute => JsonRpcResponse.Success(request.Id, request.Method, await ExecuteCapabilityAsync(request, cancellationToken)),
                _ => JsonRpcResponse.Failure(request.Id, request.Method, JsonRpcErrorCodes.MethodNotFound, $"method '{request.Method}' is not handled by the relay (supported: {RelayMethods.SecretsGet}, {RelayMethods.CapabilityExecute})"),
            };
        }
        catch (RelayRequestException ex)
        {
            LogRejected(request.Id, request.Method, ex.Message);
            activity.Fail(ex);
            return JsonRpcResponse.Failure(request.Id, request.Method, ex.Code, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogInternalError(ex, request.Id, request.Method);
            activity.Fail(ex);
            return JsonRpcResponse.Failure(request.Id, request.Method, JsonRpcErrorCodes.Internal, InternalErrorMessage);
        }
    }

    private async Task<SecretsResponseResult> GetSecretsAsync(JsonRpcRequest request, CancellationToken cancellationToken)
    {
        var parameters = ParseParams<SecretsRequestParams>(request);
        TagExecution(parameters.WorkflowId, parameters.ExecutionId, CapabilityIds.Vault);
        var owner = RequireOwner(parameters.Owner);
        Require(parameters.WorkflowId, "workflow_id");
        Require(parameters.ExecutionId, "execution_id");
        if (parameters.Secrets is not { Count: > 0 } || parameters.Secrets.Any(s => string.IsNullOrEmpty(s?.Key)))
        {
            throw InvalidParams("secrets must list at least one secret, each with a key");
        }

        if (!HexText.IsHexOfLength(parameters.EnclavePublicKey, 32))
        {
            throw InvalidParams("enclave_public_key must be a hex 32-byte X25519 public key");
        }

        VerifyAttestation(parameters.Attestation, RelayMethods.DomainSecretsGet, RelayJson.AttestedBytes(parameters));

        var call = new CapabilityCall(CapabilityIds.Vault, CapabilityIds.GetSecretsMethod, Any.Pack(VaultResponseTranslator.ToVaultRequest(parameters, owner)), new CapabilityRequestMetadata
        {
            WorkflowId = parameters.WorkflowId,
            WorkflowOwner = owner,
            WorkflowExecutionId = parameters.ExecutionId,
            ReferenceId = request.Id,
            WorkflowDonId = options.Value.DonId,
        });
        var response = await RequireCapability(CapabilityIds.Vault).ExecuteAsync(call, cancellationToken).ConfigureAwait(false);
        if (response.ResponseCase == CapabilityResponse.ResponseOneofCase.Error)
        {
            throw new RelayRequestException(JsonRpcErrorCodes.Internal, $"vault GetSecrets failed: {response.Error}");
        }

        if (response.Payload is null || !response.Payload.TryUnpack<GetSecretsResponse>(out var secrets))
        {
            throw new InvalidOperationException($"vault GetSecrets answered with payload type '{response.Payload?.TypeUrl}', expected GetSecretsResponse");
        }

        return VaultResponseTranslator.ToRelayResult(secrets, parameters);
    }

    private async Task<CapabilityResponseResult> ExecuteCapabilityAsync(JsonRpcRequest request, CancellationToken cancellationToken)
    {
        var parameters = ParseParams<CapabilityRequestParams>(request);
        TagExecution(parameters.WorkflowId, parameters.ExecutionId, parameters.CapabilityId);
        Require(parameters.WorkflowId, "workflow_id");
        Require(parameters.CapabilityId, "capability_id");
        Require(parameters.Payload, "payload");
        var owner = parameters.Owner is null ? "" : RequireOwner(parameters.Owner);
        VerifyAttestation(parameters.Attestation, RelayMethods.DomainCapabilityExecute, RelayJson.AttestedBytes(parameters));

        CapabilityRequest sdkRequest;
        try
        {
            sdkRequest = CapabilityRequest.Parser.ParseFrom(Convert.FromBase64String(parameters.Payload));
        }
        catch (Exception ex) when (ex is FormatException or InvalidProtocolBufferException)
        {
            throw InvalidParams("payload must be base64 of a protobuf sdk.v1alpha.CapabilityRequest");
        }

        var capability = RequireCapability(parameters.CapabilityId);
        var call = new CapabilityCall(parameters.CapabilityId, sdkRequest.Method, sdkRequest.Payload, new CapabilityRequestMetadata
        {
            WorkflowId = parameters.WorkflowId,
            WorkflowOwner = owner,
            WorkflowExecutionId = parameters.ExecutionId ?? "",
            ReferenceId = string.IsNullOrEmpty(parameters.ReferenceId) ? request.Id : parameters.ReferenceId,
            WorkflowDonId = options.Value.DonId,
        });
        var response = await capability.ExecuteAsync(call, cancellationToken).ConfigureAwait(false);

        // A capability-level failure is an answer, not a transport error: it travels inside the result.
        return response.ResponseCase == CapabilityResponse.ResponseOneofCase.Error
            ? new CapabilityResponseResult { Error = response.Error }
            : new CapabilityResponseResult { Payload = Convert.ToBase64String(response.ToByteArray()) };
    }

    /// <summary>The registered capability; the refusal names only the id, so every relay node words it the same.</summary>
    private IExecutableCapability RequireCapability(string capabilityId) =>
        capabilities.TryGet(capabilityId, out var capability)
            ? capability
            : throw new RelayRequestException(JsonRpcErrorCodes.Internal, $"capability '{capabilityId}' is not available through the relay DON");

    /// <summary>Names the execution on relay.handle (the current activity while the params are read).</summary>
    private static void TagExecution(string? workflowId, string? executionId, string? capabilityId)
    {
        if (Activity.Current is { } handle && handle.Source == RelayTelemetry.Source)
        {
            handle.SetTag(TelemetryTags.WorkflowId, workflowId).SetTag(TelemetryTags.ExecutionId, executionId).SetTag(TelemetryTags.CapabilityId, capabilityId);
        }
    }

    /// <summary>Span relay.verify_attestation and metric creaspire.relay.attestation.verifications (verified, or rejected with the failed check).</summary>
    private void VerifyAttestation(string? attestation, string domainTag, byte[] attestedBytes)
    {
        using var activity = RelayTelemetry.Source.StartActivity("relay.verify_attestation");
        activity?.SetTag("attestation.domain", domainTag);
        if (string.IsNullOrEmpty(attestation))
        {
            RecordVerification(activity, "missing", "attestation is missing");
            throw InvalidParams("missing attestation");
        }

        try
        {
            attestationVerifier.Verify(attestation, DomainHash.Compute(domainTag, attestedBytes));
            RecordVerification(activity, null, null);
        }
        catch (AttestationVerificationException ex)
        {
            RecordVerification(activity, ex.Failure ?? "unknown", ex.Message);
            throw InvalidParams("attestation rejected: " + ex.Message);
        }
    }

    private static void RecordVerification(Activity? activity, string? failure, string? message)
    {
        if (failure is null)
        {
            RelayTelemetry.AttestationVerifications.Add(1, new KeyValuePair<string, object?>(TelemetryTags.Outcome, "verified"));
            activity?.SetTag(TelemetryTags.Outcome, "verified");
            return;
        }

        RelayTelemetry.AttestationVerifications.Add(1, new KeyValuePair<string, object?>(TelemetryTags.Outcome, "rejected"), new KeyValuePair<string, object?>("failure", failure));
        activity?.SetTag(TelemetryTags.Outcome, "rejected").SetTag("attestation.failure", failure);
        activity.Fail("attestation rejected: " + message);
    }

    private static T ParseParams<T>(JsonRpcRequest request) where T : class
    {
        if (request.Params is not { ValueKind: JsonValueKind.Object } element)
        {
            throw InvalidParams("params must be a JSON object");
        }

        try
        {
            return element.Deserialize<T>(RelayJson.Options) ?? throw InvalidParams("params must be a JSON object");
        }
        catch (JsonException)
        {
            throw InvalidParams($"params do not match {typeof(T).Name}");
        }
    }

    private static string RequireOwner(string? owner)
    {
        if (owner is null || !owner.StartsWith("0x", StringComparison.Ordinal) || !HexText.IsHexOfLength(owner, 20))
        {
            throw InvalidParams("owner must be a 0x-prefixed address of 40 hex characters");
        }

        return AddressUtil.Current.ConvertToChecksumAddress(owner);
    }

    private static void Require(string? value, string field)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw InvalidParams($"{field} is required");
        }
    }

    private static RelayRequestException InvalidParams(string message) => new(JsonRpcErrorCodes.InvalidParams, message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relay request {RequestId} ({Method}) refused: {Reason}")]
    private partial void LogRejected(string requestId, string method, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Relay request {RequestId} ({Method}) failed; the caller sees \"internal error\"")]
    private partial void LogInternalError(Exception exception, string requestId, string method);
}
