using Org.BouncyCastle.Crypto.Digests;

namespace CreAspire.Chain.Crypto;

/// <summary>Ethereum's Keccak-256 (the original Keccak padding; .NET's SHA3_256 is a different function).</summary>
public static class Keccak256
{
    public static byte[] Hash(ReadOnlySpan<byte> data)
    {
        var digest = new KeccakDigest(256);
        digest.BlockUpdate(data);
        var output = new byte[32];
        digest.DoFinal(output);
        return output;
    }

    public static byte[] Hash(string utf8) => Hash(System.Text.Encoding.UTF8.GetBytes(utf8));
}
