using System.Globalization;
using CreAspire.Chain.Abi.Decoders;
using CreAspire.Chain.Abi.Encoders;

namespace CreAspire.Chain.Abi;

/// <summary>
/// One Solidity ABI type: its canonical name, whether it is dynamic, and the encoder/decoder pair for its kind.
/// <see cref="Parse"/> is the single factory from a canonical type string ("uint256", "bytes32[]", "(string,bytes)[]").
/// </summary>
public abstract class AbiType
{
    private protected AbiType(string canonicalName, IAbiEncoder encoder, IAbiDecoder decoder)
    {
        CanonicalName = canonicalName;
        Encoder = encoder;
        Decoder = decoder;
    }

    /// <summary>The canonical name used in signatures (tuples spelled "(T1,T2)").</summary>
    public string CanonicalName { get; }

    /// <summary>Dynamic types are referenced by an offset in the head and encoded in the tail.</summary>
    public abstract bool IsDynamic { get; }

    /// <summary>Bytes this type occupies in a head: its full size when static, one offset word when dynamic.</summary>
    public virtual int HeadSize => 32;

    internal IAbiEncoder Encoder { get; }

    internal IAbiDecoder Decoder { get; }

    /// <summary>Encodes one value of this type on its own (for a dynamic type: the bytes an offset would point at).</summary>
    public byte[] Encode(AbiValue value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return Encoder.Encode(value);
    }

    /// <summary>Decodes one value of this type starting at <paramref name="position"/> of <paramref name="data"/>.</summary>
    public AbiValue Decode(ReadOnlySpan<byte> data, int position = 0) => Decoder.Decode(data, position);

    public override string ToString() => CanonicalName;

    /// <summary>Creates the type for a canonical type string; throws <see cref="AbiTypeException"/> for anything else.</summary>
    public static AbiType Parse(string canonicalType)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(canonicalType);
        var type = canonicalType.Trim();

        if (type.EndsWith(']'))
        {
            var open = type.LastIndexOf('[');
            if (open <= 0)
            {
                throw new AbiTypeException($"Unknown ABI type '{canonicalType}': unbalanced '['.");
            }

            var element = Parse(type[..open]);
            var size = type[(open + 1)..^1];
            if (size.Length == 0)
            {
                return new DynamicArrayType(element);
            }

            return int.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out var length) && length > 0
                ? new FixedArrayType(element, length)
                : throw new AbiTypeException($"Unknown ABI type '{canonicalType}': array length '{size}' is not a positive integer.");
        }

        if (type.StartsWith('('))
        {
            return type.EndsWith(')')
                ? new TupleType(SplitComponents(type[1..^1], canonicalType).Select(Parse).ToArray())
                : throw new AbiTypeException($"Unknown ABI type '{canonicalType}': unbalanced '('.");
        }

        return type switch
        {
            "address" => new AddressType(),
            "bool" => new BoolType(),
            "string" => new StringType(),
            "bytes" => new BytesType(),
            "uint" => new IntegerType(false, 256),
            "int" => new IntegerType(true, 256),
            _ when type.StartsWith("uint", StringComparison.Ordinal) => new IntegerType(false, ParseSize(type, 4, 8, 256, 8, canonicalType)),
            _ when type.StartsWith("int", StringComparison.Ordinal) => new IntegerType(true, ParseSize(type, 3, 8, 256, 8, canonicalType)),
            _ when type.StartsWith("bytes", StringComparison.Ordinal) => new FixedBytesType(ParseSize(type, 5, 1, 32, 1, canonicalType)),
            _ => throw new AbiTypeException($"Unknown ABI type '{canonicalType}'."),
        };
    }

    private static int ParseSize(string type, int prefixLength, int min, int max, int step, string original) =>
        int.TryParse(type.AsSpan(prefixLength), NumberStyles.None, CultureInfo.InvariantCulture, out var size) && size >= min && size <= max && size % step == 0
            ? size
            : throw new AbiTypeException($"Unknown ABI type '{original}': the size must be a multiple of {step} between {min} and {max}.");

    private static List<string> SplitComponents(string inner, string original)
    {
        var parts = new List<string>();
        if (inner.Length == 0)
        {
            return parts;
        }

        var depth = 0;
        var start = 0;
        for (var i = 0; i < inner.Length; i++)
        {
            switch (inner[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    parts.Add(inner[start..i]);
                    start = i + 1;
                    break;
            }

            if (depth < 0)
            {
                throw new AbiTypeException($"Unknown ABI type '{original}': unbalanced ')'.");
            }
        }

        parts.Add(inner[start..]);
        return depth == 0 ? parts : throw new AbiTypeException($"Unknown ABI type '{original}': unbalanced '('.");
    }
}
