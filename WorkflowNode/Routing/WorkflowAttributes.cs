using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreAspire.WorkflowNode.Routing;

/// <summary>A Vault DON secret a confidential workflow reads; an empty namespace means "main".</summary>
public sealed record WorkflowSecretIdentifier(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("namespace")] string? Namespace = null);

/// <summary>The on-chain workflow attributes (the original's WorkflowAttributes): unknown keys are tolerated.</summary>
public sealed record WorkflowAttributes
{
    [JsonPropertyName("confidential")]
    public bool Confidential { get; init; }

    [JsonPropertyName("vault_don_secrets")]
    public IReadOnlyList<WorkflowSecretIdentifier> VaultDonSecrets { get; init; } = [];

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        // Go's encoding/json matches field names case-insensitively and ignores unknown keys ("enclave": "nitro").
        PropertyNameCaseInsensitive = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
    };

    /// <summary>
    /// Empty attributes → defaults; malformed JSON, or a vault_don_secrets entry that names no secret (null, {}, no key)
    /// → <see cref="WorkflowAttributesException"/> ("failed to parse workflow attributes: ...", naming the entry).
    /// </summary>
    public static WorkflowAttributes Parse(ReadOnlySpan<byte> attributes)
    {
        if (attributes.IsEmpty)
        {
            return new WorkflowAttributes();
        }

        WorkflowAttributes parsed;
        try
        {
            parsed = JsonSerializer.Deserialize<WorkflowAttributes>(attributes, JsonOptions) ?? new WorkflowAttributes();
        }
        catch (JsonException ex)
        {
            throw new WorkflowAttributesException($"failed to parse workflow attributes: {ex.Message}", ex);
        }

        var secrets = parsed.VaultDonSecrets ?? [];
        for (var i = 0; i < secrets.Count; i++)
        {
            // Deserialization leaves a JSON null entry null and a missing key null, whatever the types say.
            if ((WorkflowSecretIdentifier?)secrets[i] is not { } secret)
            {
                throw new WorkflowAttributesException($"failed to parse workflow attributes: vault_don_secrets[{i}] is null; each entry names a Vault DON secret, like {{\"key\":\"NAME\"}}");
            }

            if (string.IsNullOrWhiteSpace(secret.Key))
            {
                throw new WorkflowAttributesException($"failed to parse workflow attributes: vault_don_secrets[{i}] has no \"key\"; each entry names a Vault DON secret, like {{\"key\":\"NAME\"}} or {{\"key\":\"NAME\",\"namespace\":\"main\"}}");
            }
        }

        return parsed with { VaultDonSecrets = secrets };
    }

    /// <summary>
    /// Whether the workflow runs in the enclave. Returns the parse error instead of false for malformed attributes, so
    /// the caller fails loudly rather than silently falling through to non-confidential execution.
    /// </summary>
    public static (bool Confidential, WorkflowAttributesException? Error) IsConfidential(ReadOnlySpan<byte> attributes)
    {
        try
        {
            return (Parse(attributes).Confidential, null);
        }
        catch (WorkflowAttributesException ex)
        {
            return (false, ex);
        }
    }
}

/// <summary>The workflow's attributes are not valid JSON of the expected shape.</summary>
public sealed class WorkflowAttributesException : Exception
{
    public WorkflowAttributesException(string message)
        : base(message)
    {
    }

    public WorkflowAttributesException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
