using System.Globalization;
using System.Numerics;
using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Abi;

/// <summary>A typed ABI value. Conversions from .NET values are implicit; reading one back uses the As… accessors.</summary>
public abstract record AbiValue
{
    public static implicit operator AbiValue(BigInteger value) => new AbiInteger(value);

    public static implicit operator AbiValue(long value) => new AbiInteger(value);

    public static implicit operator AbiValue(ulong value) => new AbiInteger(value);

    public static implicit operator AbiValue(int value) => new AbiInteger(value);

    public static implicit operator AbiValue(uint value) => new AbiInteger(value);

    public static implicit operator AbiValue(bool value) => new AbiBool(value);

    public static implicit operator AbiValue(string value) => new AbiString(value);

    public static implicit operator AbiValue(byte[] value) => new AbiBytes(value);

    /// <summary>An address from 0x hex (any case).</summary>
    public static AbiAddress Address(string hex) => AbiAddress.Parse(hex);

    public static AbiArray Array(IEnumerable<AbiValue> items) => new([.. items]);

    public static AbiTuple Tuple(params AbiValue[] items) => new(items);

    public BigInteger AsInteger() => this is AbiInteger i ? i.Value : throw Mismatch("an integer");

    public ulong AsUInt64() => this is AbiInteger i && i.Value >= 0 && i.Value <= ulong.MaxValue ? (ulong)i.Value : throw Mismatch("an integer in the uint64 range");

    public bool AsBool() => this is AbiBool b ? b.Value : throw Mismatch("a bool");

    /// <summary>The address as lower-case 0x hex.</summary>
    public string AsAddress() => this is AbiAddress a ? a.Hex : throw Mismatch("an address");

    public byte[] AsBytes() => this is AbiBytes b ? b.Value : throw Mismatch("bytes");

    public string AsString() => this is AbiString s ? s.Value : throw Mismatch("a string");

    public IReadOnlyList<AbiValue> AsArray() => this is AbiArray a ? a.Items : throw Mismatch("an array");

    public IReadOnlyList<AbiValue> AsTuple() => this is AbiTuple t ? t.Items : throw Mismatch("a tuple");

    private AbiTypeMismatchException Mismatch(string expected) => new($"Expected {expected} but the value is {GetType().Name} {this}.");
}

public sealed record AbiInteger(BigInteger Value) : AbiValue
{
    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);
}

public sealed record AbiBool(bool Value) : AbiValue
{
    public override string ToString() => Value ? "true" : "false";
}

/// <summary>A 20-byte address; <see cref="Hex"/> is lower-case 0x.</summary>
public sealed record AbiAddress : AbiValue
{
    public AbiAddress(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 20)
        {
            throw new AbiEncodingException($"An address is 20 bytes; got {bytes.Length}.");
        }

        Hex = Crypto.Hex.Encode0x(bytes);
    }

    public string Hex { get; }

    public byte[] Bytes => Crypto.Hex.Decode(Hex);

    public static AbiAddress Parse(string hex) => Crypto.Hex.IsHexOfLength(hex, 20)
        ? new AbiAddress(Crypto.Hex.Decode(hex))
        : throw new AbiEncodingException($"'{hex}' is not a 20-byte 0x address.");

    public override string ToString() => Hex;
}

/// <summary>Bytes for <c>bytes</c> and <c>bytesN</c>.</summary>
public sealed record AbiBytes(byte[] Value) : AbiValue
{
    public bool Equals(AbiBytes? other) => other is not null && Value.AsSpan().SequenceEqual(other.Value);

    public override int GetHashCode() => Value.Length;

    public override string ToString() => Hex.Encode0x(Value);
}

public sealed record AbiString(string Value) : AbiValue
{
    public override string ToString() => "\"" + Value + "\"";
}

/// <summary>Elements of <c>T[]</c> or <c>T[k]</c>.</summary>
public sealed record AbiArray(IReadOnlyList<AbiValue> Items) : AbiValue
{
    public bool Equals(AbiArray? other) => other is not null && Items.SequenceEqual(other.Items);

    public override int GetHashCode() => Items.Count;

    public override string ToString() => "[" + string.Join(", ", Items) + "]";
}

/// <summary>Components of a tuple (a Solidity struct), in declaration order.</summary>
public sealed record AbiTuple(IReadOnlyList<AbiValue> Items) : AbiValue
{
    public bool Equals(AbiTuple? other) => other is not null && Items.SequenceEqual(other.Items);

    public override int GetHashCode() => Items.Count;

    public override string ToString() => "(" + string.Join(", ", Items) + ")";
}
