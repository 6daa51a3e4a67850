using System.Numerics;
using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Transactions;

/// <summary>An EIP-1559 (type 2) transaction with an empty access list.</summary>
public sealed record Eip1559Transaction(
    ulong ChainId,
    ulong Nonce,
    BigInteger MaxPriorityFeePerGas,
    BigInteger MaxFeePerGas,
    ulong GasLimit,
    string? To,
    BigInteger Value,
    byte[] Data)
{
    private const byte TypeByte = 0x02;

    /// <summary>keccak256(0x02 ‖ rlp([chainId, nonce, maxPriorityFee, maxFee, gas, to, value, data, accessList])).</summary>
    public byte[] SigningHash() => Keccak256.Hash([TypeByte, .. Rlp.EncodeList(Fields())]);

    public SignedTransaction Sign(EthKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var signature = key.SignHash(SigningHash());
        byte[] payload = Rlp.EncodeList([
            .. Fields(),
            Rlp.EncodeInteger(signature.RecoveryId),
            Rlp.EncodeInteger(new BigInteger(signature.R, isUnsigned: true, isBigEndian: true)),
            Rlp.EncodeInteger(new BigInteger(signature.S, isUnsigned: true, isBigEndian: true)),
        ]);
        return new SignedTransaction([TypeByte, .. payload]);
    }

    private byte[][] Fields() =>
    [
        Rlp.EncodeInteger(ChainId),
        Rlp.EncodeInteger(Nonce),
        Rlp.EncodeInteger(MaxPriorityFeePerGas),
        Rlp.EncodeInteger(MaxFeePerGas),
        Rlp.EncodeInteger(GasLimit),
        Rlp.EncodeBytes(TransactionFields.Recipient(To)),
        Rlp.EncodeInteger(Value),
        Rlp.EncodeBytes(Data),
        Rlp.EncodeList(), // access list
    ];
}

internal static class TransactionFields
{
    /// <summary>20 address bytes, or empty for contract creation.</summary>
    public static byte[] Recipient(string? to) => to is null
        ? []
        : Hex.IsHexOfLength(to, 20) ? Hex.Decode(to) : throw new ArgumentException($"'{to}' is not a 20-byte 0x address.", nameof(to));
}
