using System.Text;
using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Tests.Crypto;

public class Eip191Tests
{
    [Fact]
    public void Personal_message_hash_of_hello_world_matches_the_known_digest()
    {
        // hashMessage("Hello World") as published by ethers.js / web3.js documentation.
        Assert.Equal("0xa1de988600a42c4b4ab089b619297c17d53cffae5d5120d82d8a92d0bb3b78f2",
            Hex.Encode0x(Eip191.Hash(Encoding.UTF8.GetBytes("Hello World"))));
    }

    [Fact]
    public void Published_personal_signature_recovers_to_its_signer()
    {
        // web3.js docs: web3.eth.accounts.sign('Some data', '0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318')
        var signature = Hex.Decode("0xb91467e570a6466aa9e9876cbcd013baba02900b8979d43fe208a4a4f339f5fd6007e74cd82e037b800186422fc2da167c747ef045e5d18a5f5d4300f8e1a0291c");
        var signer = EthKey.FromHex("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");

        Assert.Equal(signer.Address, Eip191.RecoverSigner(Encoding.UTF8.GetBytes("Some data"), signature));
        Assert.Equal(signature, signer.SignPersonalMessage(Encoding.UTF8.GetBytes("Some data")));
    }
}
