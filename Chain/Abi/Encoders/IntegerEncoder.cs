using System.Numerics;

namespace CreAspire.Chain.Abi.Encoders;

/// <summary>Big-endian two's complement in one word; negative values are sign-extended with 0xFF.</summary>
public sealed class IntegerEncoder(bool signed, int bits) : IAbiEncoder
{
    private readonly BigInteger _min = signed ? -(BigInteger.One << (bits - 1)) : BigInteger.Zero;
    private readonly BigInteger _max = signed ? (BigInteger.One << (bits - 1)) - 1 : (BigInteger.One << bits) - 1;

    public byte[] Encode(AbiValue value)
    {
        if (value is not AbiInteger integer)
        {
            throw new AbiEncodingException($"{TypeName} needs an integer; got {value.GetType().Name} {value}.");
        }

        return EncodeWord(integer.Value);
    }

    public byte[] EncodeWord(BigInteger number)
    {
        if (number < _min || number > _max)
        {
            throw new AbiEncodingException($"{number} does not fit in {TypeName} (range {_min} to {_max}).");
        }

        var word = new byte[32];
        if (number.Sign < 0)
        {
            word.AsSpan().Fill(0xFF);
        }

        var bytes = number.ToByteArray(isUnsigned: number.Sign >= 0, isBigEndian: true);
        bytes.CopyTo(word, 32 - bytes.Length);
        return word;
    }

    private string TypeName => (signed ? "int" : "uint") + bits;

    /// <summary>A uint256 word, as used for offsets and lengths.</summary>
    internal static byte[] Word(long value) => Uint256.EncodeWord(value);

    private static readonly IntegerEncoder Uint256 = new(false, 256);
}
