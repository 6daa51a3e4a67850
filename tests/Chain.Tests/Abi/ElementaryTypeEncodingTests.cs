using System.Numerics;
using CreAspire.Chain.Abi;
using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Tests.Abi;

public class ElementaryTypeEncodingTests
{
    [Theory]
    [InlineData("uint256", "0", "0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("uint8", "255", "00000000000000000000000000000000000000000000000000000000000000ff")]
    [InlineData("int256", "-1", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff")]
    [InlineData("int8", "-128", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff80")]
    [InlineData("int32", "1000", "00000000000000000000000000000000000000000000000000000000000003e8")]
    public void Integers_encode_big_endian_and_sign_extend_and_round_trip(string type, string value, string expected)
    {
        var abiType = AbiType.Parse(type);
        var number = BigInteger.Parse(value, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expected, Hex.Encode(abiType.Encode(number)));
        Assert.Equal(number, abiType.Decode(Hex.Decode(expected)).AsInteger());
    }

    [Theory]
    [InlineData("uint8", "256")]
    [InlineData("uint256", "-1")]
    [InlineData("int8", "128")]
    public void Integers_out_of_range_are_refused(string type, string value)
    {
        Assert.Throws<AbiEncodingException>(() => AbiType.Parse(type).Encode(BigInteger.Parse(value, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Dirty_high_bits_are_refused_when_decoding_a_small_integer()
    {
        Assert.Throws<AbiDecodingException>(() => AbiType.Parse("uint8").Decode(Hex.Decode("0000000000000000000000000000000000000000000000000000000000000100")));
    }

    [Fact]
    public void Address_is_left_padded_and_decodes_lower_case()
    {
        var type = AbiType.Parse("address");
        var encoded = type.Encode(AbiValue.Address("0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266"));

        Assert.Equal("000000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266", Hex.Encode(encoded));
        Assert.Equal("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", type.Decode(encoded).AsAddress());
    }

    [Fact]
    public void Address_with_dirty_padding_is_refused()
    {
        Assert.Throws<AbiDecodingException>(() => AbiType.Parse("address").Decode(Hex.Decode("010000000000000000000000f39fd6e51aad88f6f4ce6ab8827279cfffb92266")));
    }

    [Fact]
    public void Bool_encodes_zero_or_one_and_refuses_other_words()
    {
        var type = AbiType.Parse("bool");
        Assert.Equal("0000000000000000000000000000000000000000000000000000000000000001", Hex.Encode(type.Encode(true)));
        Assert.Throws<AbiDecodingException>(() => type.Decode(Hex.Decode("0000000000000000000000000000000000000000000000000000000000000002")));
    }

    [Fact]
    public void Fixed_bytes_need_exactly_their_length()
    {
        Assert.Throws<AbiEncodingException>(() => AbiType.Parse("bytes32").Encode(new byte[31]));
        Assert.Equal("ab00000000000000000000000000000000000000000000000000000000000000", Hex.Encode(AbiType.Parse("bytes1").Encode(new byte[] { 0xab })));
    }

    [Fact]
    public void String_is_utf8_with_length_and_padding()
    {
        var type = AbiType.Parse("string");
        var encoded = type.Encode("héllo");

        Assert.Equal(
            "0000000000000000000000000000000000000000000000000000000000000006" +
            "68c3a96c6c6f0000000000000000000000000000000000000000000000000000",
            Hex.Encode(encoded));
        Assert.Equal("héllo", type.Decode(encoded).AsString());
    }

    [Fact]
    public void Empty_bytes_encode_as_a_zero_length_word()
    {
        Assert.Equal("0000000000000000000000000000000000000000000000000000000000000000", Hex.Encode(AbiType.Parse("bytes").Encode(Array.Empty<byte>())));
    }

    [Fact]
    public void Truncated_data_is_reported_with_the_offset()
    {
        var ex = Assert.Throws<AbiDecodingException>(() => AbiType.Parse("bytes").Decode(Hex.Decode("0000000000000000000000000000000000000000000000000000000000000040")));
        Assert.Contains("offset", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_of_the_wrong_kind_is_refused_with_the_type_name()
    {
        var ex = Assert.Throws<AbiEncodingException>(() => AbiType.Parse("uint256").Encode("12"));
        Assert.Contains("uint256", ex.Message, StringComparison.Ordinal);
    }
}
