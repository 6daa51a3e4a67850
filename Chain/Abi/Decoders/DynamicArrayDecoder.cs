namespace CreAspire.Chain.Abi.Decoders;

/// <summary><c>T[]</c>: a length word, then that many elements as a head/tail sequence.</summary>
public sealed class DynamicArrayDecoder(AbiType element) : IAbiDecoder
{
    public AbiValue Decode(ReadOnlySpan<byte> data, int position)
    {
        var count = Words.ReadSize(data, position, "array length");
        // Each element takes at least one word in the head: a count beyond that is corrupt, not a huge allocation.
        if ((long)count * Math.Max(32, element.HeadSize) > data.Length - position - 32)
        {
            throw new AbiDecodingException($"The {element}[] at offset {position} claims {count} elements, more than the data can hold.");
        }

        return new AbiArray(SequenceDecoder.Decode(Enumerable.Repeat(element, count).ToArray(), data, position + 32));
    }
}
