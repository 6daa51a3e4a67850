using System.Text.Encodings.Web;
using System.Text.Json;
using CreAspire.Protocol.Relay;

namespace CreAspire.Protocol.JsonRpc;

/// <summary>The one JSON configuration for relay and gateway payloads, so every party serializes the same bytes.</summary>
public static class RelayJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.Default,
    };

    /// <summary>The exact bytes the attestation's user_data binds: the params with the attestation field removed.</summary>
    public static byte[] AttestedBytes(SecretsRequestParams parameters) =>
        JsonSerializer.SerializeToUtf8Bytes(parameters with { Attestation = null }, Options);

    /// <inheritdoc cref="AttestedBytes(SecretsRequestParams)"/>
    public static byte[] AttestedBytes(CapabilityRequestParams parameters) =>
        JsonSerializer.SerializeToUtf8Bytes(parameters with { Attestation = null }, Options);
}
