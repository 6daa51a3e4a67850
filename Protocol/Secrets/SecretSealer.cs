using System.Security.Cryptography;
using System.Text;
using CreAspire.Chain.Crypto;

namespace CreAspire.Protocol.Secrets;

/// <summary>
/// Seals a secret to a secp256k1 public key: ECDH with an ephemeral key, HKDF-SHA256, AES-256-GCM.
/// Box layout: ephemeral public key (65) ‖ ciphertext ‖ tag (16). The nonce comes from HKDF (each ephemeral key is
/// used once). The ephemeral key is derived from a caller-supplied seed, so honest vault nodes that share the vault
/// key and see the same request produce byte-identical boxes, which is what lets the relay DON and gateway vote on them.
/// </summary>
public static class SecretSealer
{
    private const int PublicKeyLength = 65;
    private const int TagLength = 16;
    private static readonly byte[] Info = Encoding.ASCII.GetBytes("creaspire/sealed-secret/v1");

    /// <summary>
    /// An owner address in the one form sealed secrets bind: "0x" + lower-case hex. Workflow nodes carry the owner as 40 hex
    /// chars without 0x, the relay as 0x EIP-55; both name the same owner. Anything that is not an address is lower-cased.
    /// </summary>
    public static string CanonicalOwner(string owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        return Hex.IsHexOfLength(owner, 20)
            ? "0x" + (owner.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? owner[2..] : owner).ToLowerInvariant()
            : owner.ToLowerInvariant();
    }

    /// <summary>
    /// The associated data every sealed vault secret binds: UTF-8 "&lt;canonical owner&gt;/&lt;namespace&gt;/&lt;key&gt;".
    /// The vault seals with it, and the enclave and workflow nodes open with it, so it is defined once here.
    /// </summary>
    public static byte[] AssociatedData(string owner, string @namespace, string key) =>
        Encoding.UTF8.GetBytes($"{CanonicalOwner(owner)}/{@namespace}/{key}");

    /// <summary>Seals <paramref name="plaintext"/> for <paramref name="recipientPublicKey"/> (65-byte uncompressed).</summary>
    /// <param name="ephemeralSeed">Deterministic input for the ephemeral key (e.g. HMAC(vault key, request binding)).</param>
    /// <param name="associatedData">Bound but not encrypted (e.g. "owner/namespace/key"); the opener must pass the same.</param>
    public static byte[] Seal(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> ephemeralSeed, ReadOnlySpan<byte> associatedData)
    {
        if (recipientPublicKey.Length != PublicKeyLength || recipientPublicKey[0] != 0x04)
        {
            throw new ArgumentException("The recipient key must be a 65-byte uncompressed secp256k1 public key (0x04 ‖ X ‖ Y).", nameof(recipientPublicKey));
        }

        var ephemeral = EthKey.Derive(Convert.ToHexStringLower(ephemeralSeed), "sealed-secret");
        var (key, nonce) = DeriveKey(ephemeral.SharedSecret(recipientPublicKey), ephemeral.PublicKey, recipientPublicKey);

        var box = new byte[PublicKeyLength + plaintext.Length + TagLength];
        ephemeral.PublicKey.CopyTo(box, 0);
        using var aes = new AesGcm(key, TagLength);
        aes.Encrypt(nonce, plaintext, box.AsSpan(PublicKeyLength, plaintext.Length), box.AsSpan(PublicKeyLength + plaintext.Length), associatedData);
        return box;
    }

    /// <summary>Opens a box sealed to <paramref name="recipient"/>; throws <see cref="CryptographicException"/> if it was not.</summary>
    public static byte[] Open(EthKey recipient, ReadOnlySpan<byte> box, ReadOnlySpan<byte> associatedData)
    {
        ArgumentNullException.ThrowIfNull(recipient);
        if (box.Length < PublicKeyLength + TagLength)
        {
            throw new CryptographicException($"A sealed secret is at least {PublicKeyLength + TagLength} bytes; got {box.Length}.");
        }

        var ephemeralPublic = box[..PublicKeyLength];
        var (key, nonce) = DeriveKey(recipient.SharedSecret(ephemeralPublic), ephemeralPublic, recipient.PublicKey);
        var cipherLength = box.Length - PublicKeyLength - TagLength;
        var plaintext = new byte[cipherLength];
        using var aes = new AesGcm(key, TagLength);
        aes.Decrypt(nonce, box.Slice(PublicKeyLength, cipherLength), box[^TagLength..], plaintext, associatedData);
        return plaintext;
    }

    private static (byte[] Key, byte[] Nonce) DeriveKey(byte[] sharedSecret, ReadOnlySpan<byte> ephemeralPublic, ReadOnlySpan<byte> recipientPublic)
    {
        var salt = new byte[ephemeralPublic.Length + recipientPublic.Length];
        ephemeralPublic.CopyTo(salt);
        recipientPublic.CopyTo(salt.AsSpan(ephemeralPublic.Length));
        var okm = HKDF.DeriveKey(HashAlgorithmName.SHA256, sharedSecret, 32 + 12, salt, Info);
        return (okm[..32], okm[32..]);
    }
}
