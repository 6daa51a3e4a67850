using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Tests.Crypto;

public class Eip55Tests
{
    // The test cases listed in EIP-55 itself.
    [Theory]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [InlineData("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [InlineData("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    [InlineData("0x52908400098527886E0F7030069857D2E4169EE7")]
    [InlineData("0x8617E340B3D01FA5F11F306F4090FD50E238070D")]
    [InlineData("0xde709f2102306220921060314715629080e2fb77")]
    [InlineData("0x27b1fdb04752bbc536007a920d24acb045561c26")]
    public void Checksum_of_the_EIP_55_examples_round_trips(string address)
    {
        Assert.Equal(address, Eip55.ToChecksumAddress(address.ToLowerInvariant()));
        Assert.True(Eip55.IsValid(address));
    }

    [Fact]
    public void A_mistyped_checksum_is_invalid()
    {
        Assert.False(Eip55.IsValid("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"));
    }
}
