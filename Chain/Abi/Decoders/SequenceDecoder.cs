namespace CreAspire.Chain.Abi.Decoders;

/// <summary>Reads a head/tail sequence that starts at <c>start</c>: dynamic members' offsets are relative to it.</summary>
public static class SequenceDecoder
{
    public static AbiValue[] Decode(IReadOnlyList<AbiType> types, ReadOnlySpan<byte> data, int start = 0)
    {
        ArgumentNullException.ThrowIfNull(types);
        var values = new AbiValue[types.Count];
        var head = start;
        for (var i = 0; i < types.Count; i++)
        {
            var type = types[i];
            if (type.IsDynamic)
            {
                var offset = Words.ReadSize(data, head, "offset of " + type);
                values[i] = type.Decode(data, checked(start + offset));
            }
            else
            {
                values[i] = type.Decode(data, head);
            }

            head += type.HeadSize;
        }

        return values;
    }
}
