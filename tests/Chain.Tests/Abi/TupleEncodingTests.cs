using CreAspire.Chain.Abi;
using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Tests.Abi;

public class TupleEncodingTests
{
    [Fact]
    public void Static_tuple_is_encoded_inline_without_an_offset()
    {
        var type = AbiType.Parse("(uint256,bool)");

        Assert.False(type.IsDynamic);
        Assert.Equal(64, type.HeadSize);
        Assert.Equal(
            "0000000000000000000000000000000000000000000000000000000000000001" +
            "0000000000000000000000000000000000000000000000000000000000000001",
            Hex.Encode(type.Encode(AbiValue.Tuple(1, true))));
    }

    [Fact]
    public void Dynamic_tuple_parameter_is_referenced_by_offset_and_round_trips()
    {
        // f((uint256,string)) with (1, "hi"): head = offset 0x20; tuple = 1, offset 0x40, len 2, "hi".
        var f = AbiFunction.FromSignature("f((uint256,string))");
        var encoded = f.EncodeCall(AbiValue.Tuple(1, "hi"));

        Assert.Equal(
            "0000000000000000000000000000000000000000000000000000000000000020" +
            "0000000000000000000000000000000000000000000000000000000000000001" +
            "0000000000000000000000000000000000000000000000000000000000000040" +
            "0000000000000000000000000000000000000000000000000000000000000002" +
            "6869000000000000000000000000000000000000000000000000000000000000",
            Hex.Encode(encoded[4..]));
        Assert.Equal(AbiValue.Tuple(1, "hi"), f.DecodeCall(encoded).Values[0]);
    }

    [Fact]
    public void Array_of_dynamic_tuples_encodes_element_offsets_relative_to_the_elements()
    {
        var type = AbiType.Parse("(string,bytes)[]");
        var value = AbiValue.Array([AbiValue.Tuple("a", new byte[] { 0x01 }), AbiValue.Tuple("b", Array.Empty<byte>())]);

        var encoded = type.Encode(value);

        Assert.Equal(
            "0000000000000000000000000000000000000000000000000000000000000002" + // length
            "0000000000000000000000000000000000000000000000000000000000000040" + // element 0 at 0x40
            "0000000000000000000000000000000000000000000000000000000000000100" + // element 1 at 0x100
            "0000000000000000000000000000000000000000000000000000000000000040" + // e0.string at +0x40
            "0000000000000000000000000000000000000000000000000000000000000080" + // e0.bytes at +0x80
            "0000000000000000000000000000000000000000000000000000000000000001" +
            "6100000000000000000000000000000000000000000000000000000000000000" +
            "0000000000000000000000000000000000000000000000000000000000000001" +
            "0100000000000000000000000000000000000000000000000000000000000000" +
            "0000000000000000000000000000000000000000000000000000000000000040" + // e1.string
            "0000000000000000000000000000000000000000000000000000000000000080" + // e1.bytes
            "0000000000000000000000000000000000000000000000000000000000000001" +
            "6200000000000000000000000000000000000000000000000000000000000000" +
            "0000000000000000000000000000000000000000000000000000000000000000",
            Hex.Encode(encoded));
        Assert.Equal(value, type.Decode(encoded));
    }

    [Fact]
    public void Tuple_with_the_wrong_number_of_components_is_refused()
    {
        var ex = Assert.Throws<AbiEncodingException>(() => AbiType.Parse("(uint256,bool)").Encode(AbiValue.Tuple(1)));
        Assert.Contains("Expected 2 values", ex.Message, StringComparison.Ordinal);
    }
}
