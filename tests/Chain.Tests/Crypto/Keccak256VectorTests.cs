using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Tests.Crypto;

public class Keccak256VectorTests
{
    [Theory]
    [InlineData("", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")]
    [InlineData("abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")]
    [InlineData("The quick brown fox jumps over the lazy dog", "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15")]
    public void Keccak256_of_known_strings_matches_the_published_digest(string input, string expected)
    {
        Assert.Equal(expected, Hex.Encode(Keccak256.Hash(input)));
    }

    [Fact]
    public void Keccak256_is_not_sha3_256()
    {
        // FIPS SHA3-256("") = a7ffc6f8…; Ethereum's Keccak-256 uses the original padding.
        Assert.NotEqual("a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a", Hex.Encode(Keccak256.Hash("")));
    }
}
