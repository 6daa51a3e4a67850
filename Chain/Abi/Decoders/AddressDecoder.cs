namespace CreAspire.Chain.Abi.Decoders;

/// <summary>The low 20 bytes of a word whose high 12 bytes are zero.</summary>
public sealed class AddressDecoder : IAbiDecoder
{
    public AbiValue Decode(ReadOnlySpan<byte> data, int position)
    {
        var word = Words.Read(data, position);
        return word[..12].ContainsAnyExcept((byte)0)
            ? throw new AbiDecodingException($"The word at offset {position} is not an address: its 12 high bytes are not zero.")
            : new AbiAddress(word[12..]);
    }
}
