using System.Numerics;

namespace CreAspire.Chain.Abi.Decoders;

/// <summary>One big-endian two's complement word; rejects values outside the N-bit range (dirty high bits).</summary>
public sealed class IntegerDecoder(bool signed, int bits) : IAbiDecoder
{
    private readonly BigInteger _min = signed ? -(BigInteger.One << (bits - 1)) : BigInteger.Zero;
    private readonly BigInteger _max = signed ? (BigInteger.One << (bits - 1)) - 1 : (BigInteger.One << bits) - 1;

    public AbiValue Decode(ReadOnlySpan<byte> data, int position)
    {
        var value = new BigInteger(Words.Read(data, position), isUnsigned: !signed, isBigEndian: true);
        return value >= _min && value <= _max
            ? new AbiInteger(value)
            : throw new AbiDecodingException($"The word at offset {position} ({value}) is outside the range of {(signed ? "int" : "uint")}{bits}.");
    }
}
