using CreAspire.Chain.Abi.Decoders;
using CreAspire.Chain.Abi.Encoders;

namespace CreAspire.Chain.Abi;

/// <summary><c>uintN</c> / <c>intN</c>, N a multiple of 8 up to 256.</summary>
public sealed class IntegerType(bool signed, int bits)
    : AbiType((signed ? "int" : "uint") + bits, new IntegerEncoder(signed, bits), new IntegerDecoder(signed, bits))
{
    public bool Signed { get; } = signed;

    public int Bits { get; } = bits;

    public override bool IsDynamic => false;
}

/// <summary><c>address</c>: 20 bytes, left-padded.</summary>
public sealed class AddressType() : AbiType("address", new AddressEncoder(), new AddressDecoder())
{
    public override bool IsDynamic => false;
}

/// <summary><c>bool</c>: one word, 0 or 1.</summary>
public sealed class BoolType() : AbiType("bool", new BoolEncoder(), new BoolDecoder())
{
    public override bool IsDynamic => false;
}

/// <summary><c>bytesN</c>, N from 1 to 32, right-padded.</summary>
public sealed class FixedBytesType(int length) : AbiType("bytes" + length, new FixedBytesEncoder(length), new FixedBytesDecoder(length))
{
    public int Length { get; } = length;

    public override bool IsDynamic => false;
}

/// <summary><c>bytes</c>: length word and right-padded content.</summary>
public sealed class BytesType() : AbiType("bytes", new BytesEncoder(), new BytesDecoder())
{
    public override bool IsDynamic => true;
}

/// <summary><c>string</c>: UTF-8 bytes encoded as <c>bytes</c>.</summary>
public sealed class StringType() : AbiType("string", new StringEncoder(), new StringDecoder())
{
    public override bool IsDynamic => true;
}

/// <summary><c>T[k]</c>: k elements encoded like a tuple of k T's; dynamic when T is.</summary>
public sealed class FixedArrayType(AbiType element, int length)
    : AbiType(element.CanonicalName + "[" + length + "]", new FixedArrayEncoder(element, length), new FixedArrayDecoder(element, length))
{
    public AbiType Element { get; } = element;

    public int Length { get; } = length;

    public override bool IsDynamic => Element.IsDynamic;

    public override int HeadSize => IsDynamic ? 32 : Element.HeadSize * Length;
}

/// <summary><c>T[]</c>: a length word followed by the elements encoded like a tuple.</summary>
public sealed class DynamicArrayType(AbiType element)
    : AbiType(element.CanonicalName + "[]", new DynamicArrayEncoder(element), new DynamicArrayDecoder(element))
{
    public AbiType Element { get; } = element;

    public override bool IsDynamic => true;
}

/// <summary><c>(T1,…,Tn)</c>: a Solidity struct; dynamic when any component is.</summary>
public sealed class TupleType(IReadOnlyList<AbiType> components)
    : AbiType("(" + string.Join(",", components.Select(c => c.CanonicalName)) + ")", new TupleEncoder(components), new TupleDecoder(components))
{
    public IReadOnlyList<AbiType> Components { get; } = components;

    public override bool IsDynamic => Components.Any(c => c.IsDynamic);

    public override int HeadSize => IsDynamic ? 32 : Components.Sum(c => c.HeadSize);
}
