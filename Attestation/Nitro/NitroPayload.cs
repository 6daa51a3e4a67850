using System.Formats.Cbor;

namespace CreAspire.Attestation.Nitro;

/// <summary>The attestation document fields as decoded from the COSE payload, before any rule is applied.</summary>
internal sealed record NitroPayload
{
    public string? ModuleId { get; init; }
    public ulong? Timestamp { get; init; }
    public string? Digest { get; init; }
    public IReadOnlyDictionary<long, byte[]?>? Pcrs { get; init; }
    public byte[]? Certificate { get; init; }
    public IReadOnlyList<byte[]?>? CaBundle { get; init; }
    public byte[]? PublicKey { get; init; }
    public byte[]? UserData { get; init; }
    public byte[]? Nonce { get; init; }

    /// <summary>Decodes the payload map; unknown keys are skipped, absent optional fields may be CBOR null.</summary>
    public static NitroPayload Decode(byte[] payload)
    {
        try
        {
            var reader = new CborReader(payload, CborConformanceMode.Lax);
            var document = new NitroPayload();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var count = reader.ReadStartMap();
            for (var i = 0; count is null ? reader.PeekState() != CborReaderState.EndMap : i < count; i++)
            {
                var key = reader.ReadTextString();
                if (!seen.Add(key))
                {
                    throw new NitroAttestationException(NitroFailure.BadDocument, $"bad attestation document: duplicate field '{key}'");
                }

                document = key switch
                {
                    "module_id" => document with { ModuleId = reader.ReadTextString() },
                    "timestamp" => document with { Timestamp = reader.ReadUInt64() },
                    "digest" => document with { Digest = reader.ReadTextString() },
                    "pcrs" => document with { Pcrs = ReadPcrs(reader) },
                    "certificate" => document with { Certificate = reader.ReadByteString() },
                    "cabundle" => document with { CaBundle = ReadByteStrings(reader) },
                    "public_key" => document with { PublicKey = ReadOptionalBytes(reader) },
                    "user_data" => document with { UserData = ReadOptionalBytes(reader) },
                    "nonce" => document with { Nonce = ReadOptionalBytes(reader) },
                    _ => Skip(reader, document),
                };
            }

            reader.ReadEndMap();
            return reader.BytesRemaining == 0
                ? document
                : throw new NitroAttestationException(NitroFailure.BadDocument, "bad attestation document: trailing bytes after the payload map");
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or OverflowException)
        {
            throw new NitroAttestationException(NitroFailure.BadDocument, $"bad attestation document: {ex.Message}", ex);
        }
    }

    private static Dictionary<long, byte[]?> ReadPcrs(CborReader reader)
    {
        var pcrs = new Dictionary<long, byte[]?>();
        var count = reader.ReadStartMap();
        for (var i = 0; count is null ? reader.PeekState() != CborReaderState.EndMap : i < count; i++)
        {
            var index = reader.ReadInt64();
            pcrs[index] = ReadOptionalBytes(reader);
        }

        reader.ReadEndMap();
        return pcrs;
    }

    private static List<byte[]?> ReadByteStrings(CborReader reader)
    {
        var items = new List<byte[]?>();
        var count = reader.ReadStartArray();
        for (var i = 0; count is null ? reader.PeekState() != CborReaderState.EndArray : i < count; i++)
        {
            items.Add(ReadOptionalBytes(reader));
        }

        reader.ReadEndArray();
        return items;
    }

    private static byte[]? ReadOptionalBytes(CborReader reader)
    {
        if (reader.PeekState() != CborReaderState.Null)
        {
            return reader.ReadByteString();
        }

        reader.ReadNull();
        return null;
    }

    private static NitroPayload Skip(CborReader reader, NitroPayload document)
    {
        reader.SkipValue();
        return document;
    }
}
