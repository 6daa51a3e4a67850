namespace CreAspire.Chain.Abi.Encoders;

/// <summary><c>T[]</c>: a length word, then the elements as a head/tail sequence.</summary>
public sealed class DynamicArrayEncoder(AbiType element) : IAbiEncoder
{
    public byte[] Encode(AbiValue value)
    {
        if (value is not AbiArray array)
        {
            throw new AbiEncodingException($"{element}[] needs an array; got {value.GetType().Name} {value}.");
        }

        var body = SequenceEncoder.Encode(Enumerable.Repeat(element, array.Items.Count).ToArray(), array.Items);
        return [.. IntegerEncoder.Word(array.Items.Count), .. body];
    }
}
