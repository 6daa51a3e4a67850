using System.Text.Json;
using CreAspire.Attestation;
using CreAspire.Chain.Identity;
using CreAspire.Gateway.Tests.Support;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CreAspire.Protocol.Sdk;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace CreAspire.Gateway.Tests.Relay;

/// <summary>Builds attested relay requests the way the enclave does.</summary>
internal static class RelayRequests
{
    public const string Owner = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    public static readonly string EnclavePublicKey = Convert.ToHexStringLower(NodeKeys.Derive("tests", "enclave").EncryptionPublicKey);

    public static SecretsRequestParams SecretsParams(params string[] keys) => new()
    {
        WorkflowId = "00aa",
        Owner = Owner,
        ExecutionId = "exec-1",
        Secrets = keys.Select(k => new RelaySecretIdentifier(k, "")).ToArray(),
        EnclavePublicKey = EnclavePublicKey,
    };

    public static CapabilityRequestParams CapabilityParams(string input, string capabilityId = CapabilityIds.Mock, string? referenceId = "7") => new()
    {
        WorkflowId = "00aa",
        Owner = Owner,
        ExecutionId = "exec-1",
        ReferenceId = referenceId,
        CapabilityId = capabilityId,
        Payload = Convert.ToBase64String(new CapabilityRequest { Id = capabilityId, Method = "Execute", Payload = Any.Pack(new StringValue { Value = input }), CallbackId = 7 }.ToByteArray()),
    };

    public static SecretsRequestParams Attested(SecretsRequestParams p, byte enclave = 1) =>
        p with { Attestation = TestAttestation.Attest(DomainHash.Compute(RelayMethods.DomainSecretsGet, RelayJson.AttestedBytes(p)), enclave) };

    public static CapabilityRequestParams Attested(CapabilityRequestParams p, byte enclave = 1) =>
        p with { Attestation = TestAttestation.Attest(DomainHash.Compute(RelayMethods.DomainCapabilityExecute, RelayJson.AttestedBytes(p)), enclave) };

    public static JsonRpcRequest Request<T>(string id, string method, T parameters) =>
        new() { Id = id, Method = method, Params = JsonSerializer.SerializeToElement(parameters, RelayJson.Options) };
}
