namespace CreAspire.Chain.Abi.Decoders;

/// <summary><c>bytesN</c>: the first N bytes of a word whose padding is zero.</summary>
public sealed class FixedBytesDecoder(int length) : IAbiDecoder
{
    public AbiValue Decode(ReadOnlySpan<byte> data, int position)
    {
        var word = Words.Read(data, position);
        return word[length..].ContainsAnyExcept((byte)0)
            ? throw new AbiDecodingException($"The word at offset {position} is not bytes{length}: its padding is not zero.")
            : new AbiBytes(word[..length].ToArray());
    }
}
