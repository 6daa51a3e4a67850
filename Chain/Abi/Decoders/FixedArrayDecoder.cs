namespace CreAspire.Chain.Abi.Decoders;

/// <summary><c>T[k]</c>: k elements as a head/tail sequence.</summary>
public sealed class FixedArrayDecoder(AbiType element, int length) : IAbiDecoder
{
    public AbiValue Decode(ReadOnlySpan<byte> data, int position) =>
        new AbiArray(SequenceDecoder.Decode(Enumerable.Repeat(element, length).ToArray(), data, position));
}
