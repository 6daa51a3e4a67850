namespace CreAspire.Chain.Abi.Encoders;

/// <summary>A tuple: its components as a head/tail sequence.</summary>
public sealed class TupleEncoder(IReadOnlyList<AbiType> components) : IAbiEncoder
{
    public byte[] Encode(AbiValue value)
    {
        if (value is not AbiTuple tuple)
        {
            throw new AbiEncodingException($"A tuple needs an AbiTuple of {components.Count} components; got {value.GetType().Name} {value}.");
        }

        return SequenceEncoder.Encode(components, tuple.Items);
    }
}
