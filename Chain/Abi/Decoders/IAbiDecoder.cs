namespace CreAspire.Chain.Abi.Decoders;

/// <summary>Decodes one value whose encoding starts at <c>position</c> (the head slot of a static type, the tail of a dynamic one).</summary>
public interface IAbiDecoder
{
    AbiValue Decode(ReadOnlySpan<byte> data, int position);
}
