namespace CreAspire.Chain.Abi.Encoders;

/// <summary><c>T[k]</c>: exactly k elements as a head/tail sequence, no length word.</summary>
public sealed class FixedArrayEncoder(AbiType element, int length) : IAbiEncoder
{
    public byte[] Encode(AbiValue value)
    {
        if (value is not AbiArray array)
        {
            throw new AbiEncodingException($"{element}[{length}] needs an array; got {value.GetType().Name} {value}.");
        }

        if (array.Items.Count != length)
        {
            throw new AbiEncodingException($"{element}[{length}] needs exactly {length} elements; got {array.Items.Count}.");
        }

        return SequenceEncoder.Encode(Enumerable.Repeat(element, length).ToArray(), array.Items);
    }
}
