using System.Security.Cryptography;
using System.Text;
using Org.BouncyCastle.Crypto.Agreement;
using Org.BouncyCastle.Crypto.Parameters;

namespace CreAspire.Protocol.Secrets;

/// <summary>
/// Seals a secret to a 32-byte X25519 public key (what a node registers as its <c>encryptionPublicKey</c> in the
/// CapabilitiesRegistry, and what the enclave generates per run): X25519 with an ephemeral key, HKDF-SHA256, AES-256-GCM.
/// Box layout: ephemeral public key (32) ‖ ciphertext ‖ tag (16). The nonce comes from HKDF (each ephemeral key is used
/// once). The ephemeral key is derived from a caller-supplied seed, so honest vault nodes that share the vault key and see
/// the same request produce byte-identical boxes, which is what lets the relay DON and gateway vote on them.
/// </summary>
public static class SecretSealer
{
    public const int KeyLength = 32;
    private const int TagLength = 16;
    private static readonly byte[] Info = Encoding.ASCII.GetBytes("creaspire/sealed-secret/v2/x25519");
    private static readonly byte[] EphemeralLabel = Encoding.ASCII.GetBytes("creaspire/sealed-secret/v2/ephemeral");

    /// <summary>
    /// An owner address in the one form sealed secrets bind: "0x" + lower-case hex. Workflow nodes carry the owner as 40 hex
    /// chars without 0x, the relay as 0x EIP-55; both name the same owner. Anything that is not an address is lower-cased.
    /// </summary>
    public static string CanonicalOwner(string owner)
    {
        ArgumentNullException.ThrowIfNull(owner);
        var body = owner.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? owner[2..] : owner;
        return body.Length == 40 && body.All(char.IsAsciiHexDigit)
            ? "0x" + body.ToLowerInvariant()
            : owner.ToLowerInvariant();
    }

    /// <summary>
    /// The associated data every sealed vault secret binds: UTF-8 "&lt;canonical owner&gt;/&lt;namespace&gt;/&lt;key&gt;".
    /// The vault seals with it, and the enclave and workflow nodes open with it, so it is defined once here.
    /// </summary>
    public static byte[] AssociatedData(string owner, string @namespace, string key) =>
        Encoding.UTF8.GetBytes($"{CanonicalOwner(owner)}/{@namespace}/{key}");

    /// <summary>A fresh random X25519 key pair (32-byte private and public keys).</summary>
    public static (byte[] PrivateKey, byte[] PublicKey) CreateKeyPair()
    {
        var privateKey = new X25519PrivateKeyParameters(RandomNumberGenerator.GetBytes(KeyLength));
        return (privateKey.GetEncoded(), privateKey.GeneratePublicKey().GetEncoded());
    }

    /// <summary>The X25519 public key of a 32-byte private key.</summary>
    public static byte[] PublicKeyOf(ReadOnlySpan<byte> privateKey) => PrivateKey(privateKey, nameof(privateKey)).GeneratePublicKey().GetEncoded();

    /// <summary>Seals <paramref name="plaintext"/> for <paramref name="recipientPublicKey"/> (32-byte X25519).</summary>
    /// <param name="ephemeralSeed">Deterministic input for the ephemeral key (e.g. HMAC(vault key, request binding)).</param>
    /// <param name="associatedData">Bound but not encrypted (e.g. "owner/namespace/key"); the opener must pass the same.</param>
    public static byte[] Seal(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> ephemeralSeed, ReadOnlySpan<byte> associatedData)
    {
        if (recipientPublicKey.Length != KeyLength)
        {
            throw new ArgumentException($"The recipient key must be a 32-byte X25519 public key; got {recipientPublicKey.Length} bytes.", nameof(recipientPublicKey));
        }

        var ephemeral = new X25519PrivateKeyParameters(HMACSHA256.HashData(ephemeralSeed, EphemeralLabel));
        var ephemeralPublic = ephemeral.GeneratePublicKey().GetEncoded();
        var (key, nonce) = DeriveKey(Agree(ephemeral, recipientPublicKey), ephemeralPublic, recipientPublicKey);

        var box = new byte[KeyLength + plaintext.Length + TagLength];
        ephemeralPublic.CopyTo(box, 0);
        using var aes = new AesGcm(key, TagLength);
        aes.Encrypt(nonce, plaintext, box.AsSpan(KeyLength, plaintext.Length), box.AsSpan(KeyLength + plaintext.Length), associatedData);
        return box;
    }

    /// <summary>Opens a box sealed to the public key of <paramref name="recipientPrivateKey"/>; throws <see cref="CryptographicException"/> if it was not.</summary>
    public static byte[] Open(ReadOnlySpan<byte> recipientPrivateKey, ReadOnlySpan<byte> box, ReadOnlySpan<byte> associatedData)
    {
        var recipient = PrivateKey(recipientPrivateKey, nameof(recipientPrivateKey));
        if (box.Length < KeyLength + TagLength)
        {
            throw new CryptographicException($"A sealed secret is at least {KeyLength + TagLength} bytes; got {box.Length}.");
        }

        var ephemeralPublic = box[..KeyLength];
        var (key, nonce) = DeriveKey(Agree(recipient, ephemeralPublic), ephemeralPublic, recipient.GeneratePublicKey().GetEncoded());
        var cipherLength = box.Length - KeyLength - TagLength;
        var plaintext = new byte[cipherLength];
        using var aes = new AesGcm(key, TagLength);
        aes.Decrypt(nonce, box.Slice(KeyLength, cipherLength), box[^TagLength..], plaintext, associatedData);
        return plaintext;
    }

    private static X25519PrivateKeyParameters PrivateKey(ReadOnlySpan<byte> privateKey, string name) => privateKey.Length == KeyLength
        ? new X25519PrivateKeyParameters(privateKey)
        : throw new ArgumentException($"An X25519 private key is 32 bytes; got {privateKey.Length}.", name);

    private static byte[] Agree(X25519PrivateKeyParameters own, ReadOnlySpan<byte> peerPublicKey)
    {
        var agreement = new X25519Agreement();
        agreement.Init(own);
        var secret = new byte[agreement.AgreementSize];
        try
        {
            agreement.CalculateAgreement(new X25519PublicKeyParameters(peerPublicKey), secret, 0);
        }
        catch (InvalidOperationException ex)
        {
            // An all-zero shared secret: the peer key is a low-order point, never an honest key.
            throw new CryptographicException("The X25519 key agreement failed: the public key is a low-order point.", ex);
        }

        return secret;
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
