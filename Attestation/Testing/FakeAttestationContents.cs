using System.Formats.Cbor;

namespace CreAspire.Attestation.Testing;

/// <summary>
/// The payload fields of a fake attestation document. A null mandatory field is left out of the map (to test the
/// "missing field" rule); a null optional field is written as CBOR null, as the real NSM does.
/// </summary>
public sealed record FakeAttestationContents
{
    public string? ModuleId { get; init; }
    public string? Digest { get; init; } = "SHA384";
    public ulong? TimestampMilliseconds { get; init; }
    public IReadOnlyDictionary<long, byte[]>? Pcrs { get; init; }
    public byte[]? Certificate { get; init; }
    public IReadOnlyList<byte[]>? CaBundle { get; init; }
    public byte[]? PublicKey { get; init; }
    public byte[]? UserData { get; init; }
    public byte[]? Nonce { get; init; }

    /// <summary>The CBOR payload map, fields in the order the AWS NSM writes them.</summary>
    public byte[] Encode()
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteStartMap(null);
        WriteText(writer, "module_id", ModuleId);
        WriteText(writer, "digest", Digest);
        if (TimestampMilliseconds is { } timestamp)
        {
            writer.WriteTextString("timestamp");
            writer.WriteUInt64(timestamp);
        }

        if (Pcrs is not null)
        {
            writer.WriteTextString("pcrs");
            writer.WriteStartMap(Pcrs.Count);
            foreach (var (index, value) in Pcrs.OrderBy(p => p.Key))
            {
                writer.WriteInt64(index);
                writer.WriteByteString(value);
            }

            writer.WriteEndMap();
        }

        if (Certificate is not null)
        {
            writer.WriteTextString("certificate");
            writer.WriteByteString(Certificate);
        }

        if (CaBundle is not null)
        {
            writer.WriteTextString("cabundle");
            writer.WriteStartArray(CaBundle.Count);
            foreach (var der in CaBundle)
            {
                writer.WriteByteString(der);
            }

            writer.WriteEndArray();
        }

        WriteOptionalBytes(writer, "public_key", PublicKey);
        WriteOptionalBytes(writer, "user_data", UserData);
        WriteOptionalBytes(writer, "nonce", Nonce);
        writer.WriteEndMap();
        return writer.Encode();
    }

    private static void WriteText(CborWriter writer, string key, string? value)
    {
        if (value is null)
        {
            return;
        }

        writer.WriteTextString(key);
        writer.WriteTextString(value);
    }

    private static void WriteOptionalBytes(CborWriter writer, string key, byte[]? value)
    {
        writer.WriteTextString(key);
        if (value is null)
        {
            writer.WriteNull();
        }
        else
        {
            writer.WriteByteString(value);
        }
    }
}
