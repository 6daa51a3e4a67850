using System.Numerics;
using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Transactions;

/// <summary>A pre-EIP-2718 transaction with EIP-155 replay protection (v = recovery id + 2·chainId + 35).</summary>
public sealed record LegacyTransaction(
    ulong ChainId,
    ulong Nonce,
    BigInteger GasPrice,
    ulong GasLimit,
    string? To,
    BigInteger Value,
    byte[] Data)
{
    /// <summary>keccak256(rlp([nonce, gasPrice, gas, to, value, data, chainId, 0, 0])).</summary>
    public byte[] SigningHash() => Keccak256.Hash(Rlp.EncodeList([.. Fields(), Rlp.EncodeInteger(ChainId), Rlp.EncodeInteger(0), Rlp.EncodeInteger(0)]));

    public SignedTransaction Sign(EthKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var signature = key.SignHash(SigningHash());
        var v = new BigInteger(ChainId) * 2 + 35 + signature.RecoveryId;
        return new SignedTransaction(Rlp.EncodeList([
            .. Fields(),
            Rlp.EncodeInteger(v),
            Rlp.EncodeInteger(new BigInteger(signature.R, isUnsigned: true, isBigEndian: true)),
            Rlp.EncodeInteger(new BigInteger(signature.S, isUnsigned: true, isBigEndian: true)),
        ]));
    }

    private byte[][] Fields() =>
    [
        Rlp.EncodeInteger(Nonce),
        Rlp.EncodeInteger(GasPrice),
        Rlp.EncodeInteger(GasLimit),
        Rlp.EncodeBytes(TransactionFields.Recipient(To)),
        Rlp.EncodeInteger(Value),
        Rlp.EncodeBytes(Data),
    ];
}
