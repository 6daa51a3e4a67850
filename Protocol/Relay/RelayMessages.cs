using System.Text.Json.Serialization;

namespace CreAspire.Protocol.Relay;

/// <summary>Method names, service prefix and attestation domain tags of the confidential relay.</summary>
public static class RelayMethods
{
    /// <summary>The gateway service these methods belong to (the prefix before the first dot).</summary>
    public const string ServiceName = "confidential";
    public const string SecretsGet = "confidential.secrets.get";
    public const string CapabilityExecute = "confidential.capability.execute";

    public const string DomainSecretsGet = "ConfidentialSecretsGet";
    public const string DomainCapabilityExecute = "ConfidentialCapabilityExecute";
}

// The records below keep the Go structs' field order (JsonPropertyOrder) and omitempty (WhenWritingNull), because the
// attestation binds DomainHash(tag, json(params without attestation)): enclave and relay must produce the same bytes.

/// <summary>A secret's key and namespace (namespace "main" when empty).</summary>
public sealed record RelaySecretIdentifier(
    [property: JsonPropertyName("key"), JsonPropertyOrder(0)] string Key,
    [property: JsonPropertyName("namespace"), JsonPropertyOrder(1)] string Namespace);

/// <summary>Params of confidential.secrets.get (Gen-1 SecretsRequestParams).</summary>
public sealed record SecretsRequestParams
{
    [JsonPropertyName("workflow_id"), JsonPropertyOrder(0)]
    public string WorkflowId { get; init; } = "";

    /// <summary>0x-prefixed owner address.</summary>
    [JsonPropertyName("owner"), JsonPropertyOrder(1)]
    public string Owner { get; init; } = "";

    [JsonPropertyName("execution_id"), JsonPropertyOrder(2)]
    public string ExecutionId { get; init; } = "";

    [JsonPropertyName("secrets"), JsonPropertyOrder(3)]
    public IReadOnlyList<RelaySecretIdentifier> Secrets { get; init; } = [];

    /// <summary>Hex 32-byte X25519 public key of the enclave's per-execution key pair (secrets are sealed to it).</summary>
    [JsonPropertyName("enclave_public_key"), JsonPropertyOrder(4)]
    public string EnclavePublicKey { get; init; } = "";

    /// <summary>Base64 Nitro attestation document binding the other fields.</summary>
    [JsonPropertyName("attestation"), JsonPropertyOrder(5), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Attestation { get; init; }
}

/// <summary>One secret in a secrets.get result: ciphertext sealed to the enclave key, base64.</summary>
public sealed record SecretEntry(
    [property: JsonPropertyName("id"), JsonPropertyOrder(0)] RelaySecretIdentifier Id,
    [property: JsonPropertyName("ciphertext"), JsonPropertyOrder(1)] string Ciphertext,
    [property: JsonPropertyName("encrypted_shares"), JsonPropertyOrder(2)] IReadOnlyList<string> EncryptedShares);

/// <summary>Result of confidential.secrets.get.</summary>
public sealed record SecretsResponseResult(
    [property: JsonPropertyName("secrets")] IReadOnlyList<SecretEntry> Secrets);

/// <summary>Params of confidential.capability.execute (Gen-1 CapabilityRequestParams).</summary>
public sealed record CapabilityRequestParams
{
    [JsonPropertyName("workflow_id"), JsonPropertyOrder(0)]
    public string WorkflowId { get; init; } = "";

    [JsonPropertyName("owner"), JsonPropertyOrder(1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Owner { get; init; }

    [JsonPropertyName("execution_id"), JsonPropertyOrder(2), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ExecutionId { get; init; }

    [JsonPropertyName("reference_id"), JsonPropertyOrder(3), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ReferenceId { get; init; }

    [JsonPropertyName("capability_id"), JsonPropertyOrder(4)]
    public string CapabilityId { get; init; } = "";

    /// <summary>base64(proto sdk.v1alpha.CapabilityRequest).</summary>
    [JsonPropertyName("payload"), JsonPropertyOrder(5)]
    public string Payload { get; init; } = "";

    [JsonPropertyName("attestation"), JsonPropertyOrder(6), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Attestation { get; init; }
}

/// <summary>Result of confidential.capability.execute: base64(proto sdk.v1alpha.CapabilityResponse) or a capability error.</summary>
public sealed record CapabilityResponseResult
{
    [JsonPropertyName("payload"), JsonPropertyOrder(0), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Payload { get; init; }

    [JsonPropertyName("error"), JsonPropertyOrder(1), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Error { get; init; }
}
