using NBitcoin.Secp256k1;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;

namespace CreAspire.Chain.Identity;

/// <summary>
/// EIP-191 personal-message signatures (65 bytes r ‖ s ‖ v, v = 27/28) through Nethereum's <see cref="EthereumMessageSigner"/>:
/// the node handshakes, the DON session handshake, the enclave's compute requests and the owner-link proof sign and
/// recover here.
/// </summary>
/// <remarks>
/// Why this stays (a thin adapter, not a second implementation: hashing, signing and recovery are Nethereum's): Nethereum
/// gives signatures as hex strings, the protocols carry the 65 raw bytes (gateway auth header, DON hello/welcome), and
/// every call site needs one rule for a malformed signature (null, never an exception of some Nethereum type). Measured
/// against calling Nethereum directly (bench/Chain rows "sign EIP-191: …" and "recover EIP-191: …", bench/README.md
/// "Receipt polling and signing"): the conversion is lost in the noise of the ECDSA work — sign 396 µs/op here vs 378 µs/op
/// for Nethereum's hex string alone and 368 µs/op for Nethereum's R/S/V components; recover 365 vs 370 (hex) and 427
/// (components) — so the adapter costs nothing measurable and saves every call site the same code.
/// </remarks>
public static class PersonalMessages
{
    public const int SignatureLength = 65;

    private static readonly EthereumMessageSigner Signer = new();

    /// <summary>Signs keccak256("\x19Ethereum Signed Message:\n" + len + message).</summary>
    public static byte[] Sign(EthECKey key, ReadOnlySpan<byte> message)
    {
        ArgumentNullException.ThrowIfNull(key);
        return NethereumDefaults.HasLeadingZeroByte(key, out var privateKey)
            ? SignWithFullLengthKey(privateKey, Signer.HashPrefixedMessage(message.ToArray()))
            : Signer.Sign(message.ToArray(), key).HexToByteArray();
    }

    /// <summary>
    /// Nethereum 6.1's recoverable path (<see cref="EthECKey.SignRecoverable"/>) hands libsecp256k1 the private key with its
    /// leading zero bytes dropped and fails ("b32 should be of length 32") for the 1 key in 256 whose first byte is 0x00.
    /// For those keys the same library (NBitcoin.Secp256k1, what that path calls) signs with the full 32 bytes: the same
    /// RFC 6979 low-s signature Nethereum's default path gives (tested).
    /// </summary>
    private static byte[] SignWithFullLengthKey(byte[] privateKey, byte[] hash)
    {
        if (!ECPrivKey.TryCreate(privateKey, out var secret))
        {
            throw new InvalidOperationException("libsecp256k1 refused the private key.");
        }

        using (secret)
        {
            if (!secret.TrySignRecoverable(hash, out var signature) || signature is null)
            {
                throw new InvalidOperationException("libsecp256k1 refused to sign with this key.");
            }

            signature.Deconstruct(out var r, out var s, out var recoveryId);
            var bytes = new byte[SignatureLength];
            r.WriteToSpan(bytes.AsSpan(0, 32));
            s.WriteToSpan(bytes.AsSpan(32, 32));
            bytes[64] = (byte)(27 + recoveryId);
            return bytes;
        }
    }

    /// <summary>The lower-case 0x address that signed <paramref name="message"/>; null when the signature is malformed or invalid.</summary>
    public static string? RecoverSigner(ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature)
    {
        if (signature.Length != SignatureLength || signature[64] is not (0 or 1 or 27 or 28))
        {
            return null;
        }

        try
        {
            return Signer.EcRecover(message.ToArray(), signature.ToArray().ToHex(true)).ToLowerInvariant();
        }
#pragma warning disable CA1031 // Nethereum reports an unrecoverable signature (r or s out of range, no curve point) with assorted exception types
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }
}
