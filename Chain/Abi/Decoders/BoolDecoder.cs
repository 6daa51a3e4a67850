namespace CreAspire.Chain.Abi.Decoders;

/// <summary>A word that is exactly 0 or 1.</summary>
public sealed class BoolDecoder : IAbiDecoder
{
    public AbiValue Decode(ReadOnlySpan<byte> data, int position)
    {
        var word = Words.Read(data, position);
        return word[..31].ContainsAnyExcept((byte)0) || word[31] > 1
            ? throw new AbiDecodingException($"The word at offset {position} is not a bool (0 or 1).")
            : new AbiBool(word[31] == 1);
    }
}
