using System.Text.Json;
using CreAspire.Protocol.Json;
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

    /// <summary>
    /// Empty attributes (or JSON null) → defaults; otherwise a JSON object whose members are matched case-insensitively
    /// and whose unknown members are ignored, as Go's encoding/json does ("enclave": "nitro"). Anything else, including
    /// a vault_don_secrets entry that names no secret (null, {}, no key), is a <see cref="WorkflowAttributesException"/>
    /// ("failed to parse workflow attributes: ...") that names the member and says what it must be.
    /// </summary>
    public static WorkflowAttributes Parse(ReadOnlySpan<byte> attributes)
    {
        if (attributes.IsEmpty)
        {
            return new WorkflowAttributes();
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(attributes.ToArray());
        }
        catch (JsonException ex)
        {
            throw Invalid(ex.Message, ex);
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement);
            }
            catch (InvalidOperationException ex)
            {
                // A string escaping a lone surrogate ("\ud800") is JSON, but not text.
                throw Invalid($"a string is not Unicode text ({ex.Message})", ex);
            }
        }
    }

    private static WorkflowAttributes Read(JsonElement root)
    {
        if (root.ValueKind == JsonValueKind.Null)
        {
            return new WorkflowAttributes();
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"the attributes must be a JSON object, not {JsonKinds.Describe(root.ValueKind)}");
        }

        var attributes = new WorkflowAttributes();
        foreach (var member in root.EnumerateObject())
        {
            if (string.Equals(member.Name, "confidential", StringComparison.OrdinalIgnoreCase))
            {
                attributes = attributes with
                {
                    Confidential = member.Value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        var kind => throw Invalid($"\"confidential\" must be true or false, not {JsonKinds.Describe(kind)}"),
                    },
                };
            }
            else if (string.Equals(member.Name, "vault_don_secrets", StringComparison.OrdinalIgnoreCase))
            {
                attributes = attributes with { VaultDonSecrets = ReadSecrets(member.Value) };
            }
        }

        return attributes;
    }

    private static WorkflowSecretIdentifier[] ReadSecrets(JsonElement secrets)
    {
        if (secrets.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (secrets.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"\"vault_don_secrets\" must be an array of secrets like [{{\"key\":\"NAME\"}}], not {JsonKinds.Describe(secrets.ValueKind)}");
        }

        return [.. secrets.EnumerateArray().Select(ReadSecret)];
    }

    private static WorkflowSecretIdentifier ReadSecret(JsonElement entry, int index)
    {
        const string Example = "each entry names a Vault DON secret, like {\"key\":\"NAME\"} or {\"key\":\"NAME\",\"namespace\":\"main\"}";
        if (entry.ValueKind == JsonValueKind.Null)
        {
            throw Invalid($"vault_don_secrets[{index}] is null; {Example}");
        }

        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw Invalid($"vault_don_secrets[{index}] is {JsonKinds.Describe(entry.ValueKind)}, not an object; {Example}");
        }

        string? key = null;
        string? secretNamespace = null;
        foreach (var member in entry.EnumerateObject())
        {
            if (string.Equals(member.Name, "key", StringComparison.OrdinalIgnoreCase))
            {
                key = ReadString(member.Value, $"vault_don_secrets[{index}].key");
            }
            else if (string.Equals(member.Name, "namespace", StringComparison.OrdinalIgnoreCase))
            {
                secretNamespace = ReadString(member.Value, $"vault_don_secrets[{index}].namespace");
            }
        }

        return string.IsNullOrWhiteSpace(key)
            ? throw Invalid($"vault_don_secrets[{index}] has no \"key\"; {Example}")
            : new WorkflowSecretIdentifier(key, secretNamespace);
    }

    private static string? ReadString(JsonElement value, string name) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Null => null,
        var kind => throw Invalid($"{name} must be a string, not {JsonKinds.Describe(kind)}"),
    };


    private static WorkflowAttributesException Invalid(string reason, Exception? inner = null) =>
        inner is null ? new($"failed to parse workflow attributes: {reason}") : new($"failed to parse workflow attributes: {reason}", inner);

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
