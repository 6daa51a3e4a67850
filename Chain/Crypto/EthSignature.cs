namespace CreAspire.Chain.Crypto;

/// <summary>A recoverable secp256k1 signature: 32-byte r, 32-byte s (low-s), recovery id 0 or 1.</summary>
public sealed record EthSignature(byte[] R, byte[] S, byte RecoveryId)
{
    /// <summary>65 bytes r ‖ s ‖ v with v = 27 + recovery id (Ethereum's personal-sign convention).</summary>
    public byte[] ToBytes65(bool vPlus27 = true)
    {
        var bytes = new byte[65];
        R.CopyTo(bytes, 0);
        S.CopyTo(bytes, 32);
        bytes[64] = (byte)(RecoveryId + (vPlus27 ? 27 : 0));
        return bytes;
    }

    /// <summary>Parses 65 bytes r ‖ s ‖ v where v is 0/1 or 27/28.</summary>
    public static EthSignature FromBytes65(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != 65)
        {
            throw new ArgumentException($"A signature is 65 bytes (r ‖ s ‖ v); got {bytes.Length}.", nameof(bytes));
        }

        var v = bytes[64];
        var recoveryId = v >= 27 ? v - 27 : v;
        if (recoveryId is not (0 or 1))
        {
            throw new ArgumentException($"Signature recovery byte v={v} is not 0, 1, 27 or 28.", nameof(bytes));
        }

        return new EthSignature(bytes[..32].ToArray(), bytes[32..64].ToArray(), (byte)recoveryId);
    }
}
