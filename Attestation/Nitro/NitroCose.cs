using System.Formats.Cbor;

namespace CreAspire.Attestation.Nitro;

/// <summary>The four sections of a COSE_Sign1 message (RFC 9052 §4.2), as raw bytes.</summary>
internal sealed record CoseSign1(byte[] Protected, byte[] Payload, byte[] Signature)
{
    public const int Tag = 18;
    public const long Es384 = -35;

    /// <summary>Decodes a tagged (18) or untagged COSE_Sign1; throws with <see cref="NitroFailure.NotCbor"/> or <see cref="NitroFailure.BadCoseStructure"/>.</summary>
    public static CoseSign1 Decode(ReadOnlyMemory<byte> data)
    {
        var reader = new CborReader(data, CborConformanceMode.Lax);
        try
        {
            reader.SkipValue();
            if (reader.BytesRemaining != 0)
            {
                throw Fail(NitroFailure.NotCbor, "data has trailing bytes after the first CBOR item");
            }
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException)
        {
            throw Fail(NitroFailure.NotCbor, $"data is not CBOR: {ex.Message}");
        }

        try
        {
            return ReadSign1(new CborReader(data, CborConformanceMode.Lax));
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException)
        {
            throw Fail(NitroFailure.BadCoseStructure, $"data is not a COSE Sign1 array: {ex.Message}");
        }
    }

    /// <summary>The algorithm (label 1) of the protected header: an integer or a text name; null when absent.</summary>
    public object? ReadAlgorithm()
    {
        try
        {
            var reader = new CborReader(Protected, CborConformanceMode.Lax);
            var count = reader.ReadStartMap();
            object? algorithm = null;
            for (var i = 0; count is null ? reader.PeekState() != CborReaderState.EndMap : i < count; i++)
            {
                var isAlgorithmLabel = reader.PeekState() is CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger
                    ? reader.ReadInt64() == 1
                    : SkipAndReturnNull(reader) is not null;
                if (!isAlgorithmLabel)
                {
                    reader.SkipValue();
                    continue;
                }

                algorithm = reader.PeekState() switch
                {
                    CborReaderState.UnsignedInteger or CborReaderState.NegativeInteger => reader.ReadInt64(),
                    CborReaderState.TextString => reader.ReadTextString(),
                    _ => SkipAndReturnNull(reader),
                };
            }

            return algorithm;
        }
        catch (Exception ex) when (ex is CborContentException or InvalidOperationException or OverflowException)
        {
            throw Fail(NitroFailure.BadCoseStructure, $"COSE Sign1 protected header is not a CBOR map: {ex.Message}");
        }
    }

    /// <summary>CBOR ["Signature1", protected, h'', payload]: the bytes the signature covers.</summary>
    public byte[] SignatureStructure()
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteStartArray(4);
        writer.WriteTextString("Signature1");
        writer.WriteByteString(Protected);
        writer.WriteByteString([]);
        writer.WriteByteString(Payload);
        writer.WriteEndArray();
        return writer.Encode();
    }

    private static CoseSign1 ReadSign1(CborReader reader)
    {
        if (reader.PeekState() == CborReaderState.Tag)
        {
            var tag = (ulong)reader.ReadTag();
            if (tag != Tag)
            {
                throw Fail(NitroFailure.BadCoseStructure, $"data is tagged {tag}, not COSE Sign1 (18)");
            }
        }

        if (reader.PeekState() != CborReaderState.StartArray || reader.ReadStartArray() != 4)
        {
            throw Fail(NitroFailure.BadCoseStructure, "data is not a COSE Sign1 array of four items");
        }

        var protectedHeader = reader.ReadByteString();
        if (reader.PeekState() != CborReaderState.StartMap)
        {
            throw Fail(NitroFailure.BadCoseStructure, "COSE Sign1 unprotected section is not a map");
        }

        reader.SkipValue();
        var payload = reader.PeekState() == CborReaderState.Null ? [] : reader.ReadByteString();
        var signature = reader.ReadByteString();
        reader.ReadEndArray();

        if (protectedHeader.Length == 0)
        {
            throw Fail(NitroFailure.BadCoseStructure, "COSE Sign1 protected section is nil or empty");
        }

        if (payload.Length == 0)
        {
            throw Fail(NitroFailure.BadCoseStructure, "COSE Sign1 payload section is nil or empty");
        }

        return signature.Length == 0
            ? throw Fail(NitroFailure.BadCoseStructure, "COSE Sign1 signature section is nil or empty")
            : new CoseSign1(protectedHeader, payload, signature);
    }

    private static object? SkipAndReturnNull(CborReader reader)
    {
        reader.SkipValue();
        return null;
    }

    private static NitroAttestationException Fail(NitroFailure failure, string message) => new(failure, message);
}
