namespace CreAspire.Chain.Abi.Decoders;

/// <summary><c>bytes</c>: a length word followed by that many bytes.</summary>
public sealed class BytesDecoder : IAbiDecoder
{
    public AbiValue Decode(ReadOnlySpan<byte> data, int position) => new AbiBytes(ReadContent(data, position).ToArray());

    internal static ReadOnlySpan<byte> ReadContent(ReadOnlySpan<byte> data, int position)
    {
        var length = Words.ReadSize(data, position, "length");
        return Words.Read(data, position + 32, length);
    }
}
