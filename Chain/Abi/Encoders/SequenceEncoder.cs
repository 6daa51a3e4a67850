namespace CreAspire.Chain.Abi.Encoders;

/// <summary>
/// Head/tail encoding shared by tuples, arrays and parameter lists: static values inline in the head, dynamic values as
/// an offset (from the start of this sequence) in the head and their encoding in the tail.
/// </summary>
public static class SequenceEncoder
{
    public static byte[] Encode(IReadOnlyList<AbiType> types, IReadOnlyList<AbiValue> values)
    {
        ArgumentNullException.ThrowIfNull(types);
        ArgumentNullException.ThrowIfNull(values);
        if (types.Count != values.Count)
        {
            throw new AbiEncodingException($"Expected {types.Count} values ({string.Join(",", types)}); got {values.Count}.");
        }

        var headSize = types.Sum(t => t.HeadSize);
        var heads = new List<byte[]>(types.Count);
        var tails = new List<byte[]>();
        var tailOffset = headSize;
        for (var i = 0; i < types.Count; i++)
        {
            var encoded = types[i].Encode(values[i] ?? throw new AbiEncodingException($"Value {i} ({types[i]}) is null."));
            if (types[i].IsDynamic)
            {
                heads.Add(IntegerEncoder.Word(tailOffset));
                tails.Add(encoded);
                tailOffset += encoded.Length;
            }
            else
            {
                heads.Add(encoded);
            }
        }

        var result = new byte[tailOffset];
        var position = 0;
        foreach (var part in heads.Concat(tails))
        {
            part.CopyTo(result, position);
            position += part.Length;
        }

        return result;
    }
}
