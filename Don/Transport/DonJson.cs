using System.Text.Json;
using System.Text.Json.Serialization;
using CreAspire.Don.Remote;

namespace CreAspire.Don.Transport;

/// <summary>Wire serialization of request and answer bodies (camelCase JSON, byte arrays as base64).</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(RemoteCapabilityRequest))]
[JsonSerializable(typeof(RemoteCapabilityResponse))]
internal sealed partial class DonJsonContext : JsonSerializerContext;

public static class DonJson
{
    public static byte[] Serialize(RemoteCapabilityRequest request) => JsonSerializer.SerializeToUtf8Bytes(request, DonJsonContext.Default.RemoteCapabilityRequest);

    public static RemoteCapabilityRequest? DeserializeRequest(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize(json, DonJsonContext.Default.RemoteCapabilityRequest);

    public static byte[] Serialize(RemoteCapabilityResponse response) => JsonSerializer.SerializeToUtf8Bytes(response, DonJsonContext.Default.RemoteCapabilityResponse);

    public static RemoteCapabilityResponse? DeserializeResponse(ReadOnlySpan<byte> json) => JsonSerializer.Deserialize(json, DonJsonContext.Default.RemoteCapabilityResponse);

    /// <summary>
    /// Why <paramref name="json"/> did not deserialize, in words: the reader's own message for text that is not JSON; for
    /// JSON of the wrong shape the member and <paramref name="expected"/> (the serializer's message names .NET types).
    /// </summary>
    public static string DescribeError(ReadOnlySpan<byte> json, JsonException exception, string expected)
    {
        ArgumentNullException.ThrowIfNull(exception);
        try
        {
            using var _ = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException syntax)
        {
            return $"it is not JSON ({syntax.Message})";
        }

        return $"{exception.Path ?? "$"} has the wrong type ({expected})";
    }
}
