using System.Numerics;

namespace CreAspire.Chain.Abi.Decoders;

/// <summary>Bounds-checked word access shared by the decoders.</summary>
internal static class Words
{
    public static ReadOnlySpan<byte> Read(ReadOnlySpan<byte> data, int position, int length = 32)
    {
        if (position < 0 || length < 0 || (long)position + length > data.Length)
        {
            throw new AbiDecodingException($"Need {length} bytes at offset {position} but the data has {data.Length} bytes (truncated or bad offset).");
        }

        return data.Slice(position, length);
    }

    /// <summary>A uint256 word used as an offset or length; must fit the data.</summary>
    public static int ReadSize(ReadOnlySpan<byte> data, int position, string what)
    {
        var value = new BigInteger(Read(data, position), isUnsigned: true, isBigEndian: true);
        return value <= data.Length
            ? (int)value
            : throw new AbiDecodingException($"The {what} at offset {position} is {value}, beyond the {data.Length} bytes of data.");
    }
}
