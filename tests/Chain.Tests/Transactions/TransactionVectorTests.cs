using System.Numerics;
using CreAspire.Chain.Crypto;
using CreAspire.Chain.Transactions;

namespace CreAspire.Chain.Tests.Transactions;

public class TransactionVectorTests
{
    [Fact]
    public void Eip155_example_from_the_EIP_signs_to_the_published_raw_transaction()
    {
        var tx = new LegacyTransaction(1, 9, BigInteger.Parse("20000000000"), 21000, "0x3535353535353535353535353535353535353535",
            BigInteger.Parse("1000000000000000000"), []);

        Assert.Equal("0xdaf5a779ae972f972197303d7b574746c7ef83eadac0f2791ad23db92e4c8e53", Hex.Encode0x(tx.SigningHash()));
        var signed = tx.Sign(EthKey.FromHex("0x4646464646464646464646464646464646464646464646464646464646464646"));
        Assert.Equal(
            "0xf86c098504a817c800825208943535353535353535353535353535353535353535880de0b6b3a76400008025a028ef61340bd939bc2195fe537567866003e1a15d3c71ff63e1590620aa636276a067cbe9d8997f761aecb703304b3800ccf555c9f3dc64214b297fb1966a3b6d83",
            signed.RawHex);
    }

    [Fact]
    public void Eip1559_vector_from_ethereumjs_signs_to_the_published_raw_transaction_and_hash()
    {
        // ethereumjs-monorepo packages/tx/test/json/eip1559.json, vector 0.
        var tx = new Eip1559Transaction(7822, 819, 75853, 121212, 35552, "0x000000000000000000000000000000000000aaaa", 43203529, []);
        var signed = tx.Sign(EthKey.FromHex("0x8f2a55949038a9610f50fb23b5883af3b4ecb3c3bb792cbcefbd1542c692be63"));

        Assert.Equal(
            "0x02f870821e8e8203338301284d8301d97c828ae094000000000000000000000000000000000000aaaa8402933bc980c080a0d067f2167008c59219652f91cbf8788dbca5f771f6e91e2b7657e85b78b472e0a01d305af9fe81fdba43f0dfcd400ed24dcace0a7e30d4e85701dcaaf484cd079e",
            signed.RawHex);
        Assert.Equal("0xa3bf78ff247cad934aa5fb13e05f11e59c93511523ff8a622e59c3a34700e5c8", signed.Hash);
    }

    [Fact]
    public void Eip1559_transaction_with_chain_id_1559_matches_the_known_encoding()
    {
        var tx = new Eip1559Transaction(1559, 0, 5678, 1100000, 30000, "0x627306090abab3a6e1400e9345bc60c78a8bef57", 123, []);
        var signed = tx.Sign(EthKey.FromHex("0x4646464646464646464646464646464646464646464646464646464646464646"));

        Assert.Equal(
            "0x02f8698206178082162e8310c8e082753094627306090abab3a6e1400e9345bc60c78a8bef577b80c001a0d1f9ee3bdde4d4e0792c7089b84059fb28e17f494556d8a775450b1dd6c318a1a038bd3e2fb9e018528e0a41f57c7a32a8d23b2693e0451aa6ef4519b234466e7f",
            signed.RawHex);
    }

    [Fact]
    public void Contract_address_of_anvil_account_0_nonce_0_is_the_well_known_first_deployment()
    {
        Assert.Equal("0x5fbdb2315678afecb367f032d93f642f64180aa3", ContractAddress.FromDeployer("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", 0));
        Assert.Equal("0xe7f1725e7734ce288f8367e1bb143e90bb3f0512", ContractAddress.FromDeployer("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", 1));
    }

    [Theory]
    [InlineData("", "80")]
    [InlineData("0f", "0f")]
    [InlineData("80", "8180")]
    [InlineData("646f67", "83646f67")]
    public void Rlp_encodes_byte_strings_as_the_yellow_paper_examples(string input, string expected)
    {
        Assert.Equal(expected, Hex.Encode(Rlp.EncodeBytes(Hex.Decode(input))));
    }

    [Fact]
    public void Rlp_encodes_lists_integers_and_long_strings()
    {
        Assert.Equal("c88363617483646f67", Hex.Encode(Rlp.EncodeList(Rlp.EncodeBytes("cat"u8), Rlp.EncodeBytes("dog"u8))));
        Assert.Equal("c0", Hex.Encode(Rlp.EncodeList()));
        Assert.Equal("80", Hex.Encode(Rlp.EncodeInteger(0)));
        Assert.Equal("820400", Hex.Encode(Rlp.EncodeInteger(1024)));
        var lorem = "Lorem ipsum dolor sit amet, consectetur adipisicing elit"u8;
        Assert.Equal("b838" + Hex.Encode(lorem), Hex.Encode(Rlp.EncodeBytes(lorem)));
    }
}
