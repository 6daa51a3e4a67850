using CreAspire.Chain.Abi;

namespace CreAspire.Chain.Tests.Abi;

public class AbiTypeFactoryTests
{
    [Theory]
    [InlineData("uint", "uint256")]
    [InlineData("int", "int256")]
    [InlineData("uint8", "uint8")]
    [InlineData("bytes32[]", "bytes32[]")]
    [InlineData("(bytes32,address,uint64,uint8,string,string,string,string,bytes,string)[]", "(bytes32,address,uint64,uint8,string,string,string,string,bytes,string)[]")]
    [InlineData("((uint256,string)[],bool)[2]", "((uint256,string)[],bool)[2]")]
    public void Canonical_type_strings_parse_to_their_canonical_name(string input, string canonical)
    {
        Assert.Equal(canonical, AbiType.Parse(input).CanonicalName);
    }

    [Theory]
    [InlineData("uint7")]
    [InlineData("uint264")]
    [InlineData("bytes33")]
    [InlineData("bytes0")]
    [InlineData("fixed128x18")]
    [InlineData("(uint256")]
    [InlineData("uint256[0]")]
    public void Unknown_types_are_refused(string input)
    {
        Assert.Throws<AbiTypeException>(() => AbiType.Parse(input));
    }

    [Fact]
    public void Dynamic_kinds_are_detected()
    {
        Assert.True(AbiType.Parse("string").IsDynamic);
        Assert.True(AbiType.Parse("uint256[]").IsDynamic);
        Assert.True(AbiType.Parse("string[2]").IsDynamic);
        Assert.False(AbiType.Parse("uint256[2]").IsDynamic);
        Assert.Equal(64, AbiType.Parse("uint256[2]").HeadSize);
    }
}
