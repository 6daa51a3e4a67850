namespace CreAspire.Chain.Abi.Decoders;

/// <summary>A tuple: its components as a head/tail sequence.</summary>
public sealed class TupleDecoder(IReadOnlyList<AbiType> components) : IAbiDecoder
{
    public AbiValue Decode(ReadOnlySpan<byte> data, int position) => new AbiTuple(SequenceDecoder.Decode(components, data, position));
}
