using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Transactions;

/// <summary>A signed transaction ready for eth_sendRawTransaction, with its hash (keccak256 of the raw bytes).</summary>
public sealed class SignedTransaction(byte[] raw)
{
    public byte[] Raw { get; } = raw;

    public string RawHex => Hex.Encode0x(Raw);

    public string Hash { get; } = Hex.Encode0x(Keccak256.Hash(raw));
}
