namespace CreAspire.Chain.Abi.Encoders;

/// <summary><c>bytes</c>: a length word, then the content right-padded to a multiple of 32.</summary>
public sealed class BytesEncoder : IAbiEncoder
{
    public byte[] Encode(AbiValue value) => value is AbiBytes bytes
        ? EncodeContent(bytes.Value)
        : throw new AbiEncodingException($"bytes needs bytes; got {value.GetType().Name} {value}.");

    internal static byte[] EncodeContent(ReadOnlySpan<byte> content)
    {
        var padded = (content.Length + 31) / 32 * 32;
        var result = new byte[32 + padded];
        IntegerEncoder.Word(content.Length).CopyTo(result, 0);
        content.CopyTo(result.AsSpan(32));
        return result;
    }
}
