using System.Globalization;
using CreAspire.Enclave.Identity;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CreAspire.Protocol.Sdk;
using Google.Protobuf;

namespace CreAspire.Enclave.Relay;

/// <summary>
/// call_capability inside the enclave: <c>confidential.capability.execute</c> through the gateway, payload
/// base64(proto CapabilityRequest), reference id = the WASM callback id, attestation over the params. A capability
/// error comes back in result.error and becomes <c>CapabilityResponse.error</c>, as does a failed relay call.
/// </summary>
public sealed class EnclaveCapabilityDispatcher(ExecutionScope scope, RelayGatewayClient gateway, EnclaveAttestor attestor) : ICapabilityDispatcher
{
    public async Task<CapabilityResponse> CallAsync(CapabilityRequest request, CapabilityRequestMetadata metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var parameters = new CapabilityRequestParams
        {
            WorkflowId = scope.WorkflowId,
            Owner = string.IsNullOrEmpty(scope.Owner) ? null : scope.Owner,
            ExecutionId = scope.ExecutionId,
            ReferenceId = request.CallbackId.ToString(CultureInfo.InvariantCulture),
            CapabilityId = request.Id,
            Payload = Convert.ToBase64String(request.ToByteArray()),
        };
        parameters = parameters with
        {
            Attestation = attestor.AttestBase64(RelayMethods.DomainCapabilityExecute, RelayJson.AttestedBytes(parameters)),
        };

        CapabilityResponseResult result;
        try
        {
            result = await gateway.CallAsync<CapabilityRequestParams, CapabilityResponseResult>(RelayMethods.CapabilityExecute, parameters, cancellationToken).ConfigureAwait(false);
        }
        catch (RelayGatewayException ex)
        {
            return new CapabilityResponse { Error = $"{request.Id} could not be called through the gateway: {ex.Message}" };
        }

        if (!string.IsNullOrEmpty(result.Error))
        {
            return new CapabilityResponse { Error = result.Error };
        }

        try
        {
            return string.IsNullOrEmpty(result.Payload)
                ? new CapabilityResponse { Error = $"{request.Id} answered with neither payload nor error" }
                : CapabilityResponse.Parser.ParseFrom(Convert.FromBase64String(result.Payload));
        }
        catch (Exception ex) when (ex is FormatException or InvalidProtocolBufferException)
        {
            return new CapabilityResponse { Error = $"{request.Id} answered with a payload that is not base64 protobuf CapabilityResponse: {ex.Message}" };
        }
    }
}
