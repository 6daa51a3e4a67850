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

    /// <summary>Empty attributes → defaults; malformed JSON → <see cref="WorkflowAttributesException"/> ("failed to parse workflow attributes: ...").</summary>
    public static WorkflowAttributes Parse(ReadOnlySpan<byte> attributes)
    {
        if (attributes.IsEmpty)
        {
            return new WorkflowAttributes();
        }

        try
        {
            var parsed = JsonSerializer.Deserialize<WorkflowAttributes>(attributes, JsonOptions) ?? new WorkflowAttributes();
            return parsed with { VaultDonSecrets = parsed.VaultDonSecrets ?? [] };
        }
        catch (JsonException ex)
        {
            throw new WorkflowAttributesException($"failed to parse workflow attributes: {ex.Message}", ex);
        }
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
public sealed class WorkflowAttributesException(string message, Exception innerException) : Exception(message, innerException);
