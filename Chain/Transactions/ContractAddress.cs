using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Transactions;

/// <summary>CREATE addresses: keccak256(rlp([sender, nonce]))[12..].</summary>
public static class ContractAddress
{
    public static string FromDeployer(string deployer, ulong nonce) =>
        Hex.Encode0x(Keccak256.Hash(Rlp.EncodeList(Rlp.EncodeBytes(Hex.Decode(deployer)), Rlp.EncodeInteger(nonce)))[12..]);
}
