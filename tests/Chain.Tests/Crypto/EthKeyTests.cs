using System.Text;
using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Tests.Crypto;

public class EthKeyTests
{
    // Anvil / Hardhat dev account #0.
    private const string AnvilKey0 = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    [Fact]
    public void Private_key_of_anvil_account_0_gives_its_published_address()
    {
        var key = EthKey.FromHex(AnvilKey0);
        Assert.Equal("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", key.Address);
        Assert.Equal("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266", Eip55.ToChecksumAddress(key.Address));
    }

    [Fact]
    public void Personal_signature_recovers_to_the_signer_and_not_after_tampering()
    {
        var key = EthKey.FromHex(AnvilKey0);
        var message = Encoding.UTF8.GetBytes("hello creaspire");
        var signature = key.SignPersonalMessage(message);

        Assert.Equal(key.Address, Eip191.RecoverSigner(message, signature));
        Assert.NotEqual(key.Address, Eip191.RecoverSigner(Encoding.UTF8.GetBytes("hello creaspirE"), signature));
    }

    [Fact]
    public void Derived_node_keys_are_reproducible_and_distinct()
    {
        Assert.Equal(EthKey.Derive("seed", "wf-0").Address, EthKey.Derive("seed", "wf-0").Address);
        Assert.NotEqual(EthKey.Derive("seed", "wf-0").Address, EthKey.Derive("seed", "wf-1").Address);
    }

    [Fact]
    public void Keccak256_of_empty_input_matches_the_known_vector()
    {
        Assert.Equal("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", Hex.Encode(Keccak256.Hash([])));
    }

    [Fact]
    public void SignHash_matches_BouncyCastle_RFC6979_ECDSA_with_low_s_and_a_recovery_id_that_recovers_the_key()
    {
        var curve = Org.BouncyCastle.Crypto.EC.CustomNamedCurves.GetByName("secp256k1");
        var domain = new Org.BouncyCastle.Crypto.Parameters.ECDomainParameters(curve.Curve, curve.G, curve.N, curve.H);
        for (var i = 0; i < 40; i++)
        {
            var key = EthKey.Derive("sign-hash-tests", $"key-{i}");
            var hash = Keccak256.Hash(System.Text.Encoding.UTF8.GetBytes($"message {i}"));

            var signature = key.SignHash(hash);

            var reference = new Org.BouncyCastle.Crypto.Signers.ECDsaSigner(
                new Org.BouncyCastle.Crypto.Signers.HMacDsaKCalculator(new Org.BouncyCastle.Crypto.Digests.Sha256Digest()));
            reference.Init(true, new Org.BouncyCastle.Crypto.Parameters.ECPrivateKeyParameters(new Org.BouncyCastle.Math.BigInteger(1, key.PrivateKeyBytes), domain));
            var rs = reference.GenerateSignature(hash);
            var s = rs[1].CompareTo(curve.N.ShiftRight(1)) > 0 ? curve.N.Subtract(rs[1]) : rs[1];
            Assert.Equal(rs[0], new Org.BouncyCastle.Math.BigInteger(1, signature.R));
            Assert.Equal(s, new Org.BouncyCastle.Math.BigInteger(1, signature.S));
            Assert.Equal(key.Address, EthKey.RecoverAddress(hash, signature));
        }
    }
}
