using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Nethereum.Signer;
using Nethereum.Util;
using Org.BouncyCastle.Crypto.Parameters;

namespace CreAspire.Chain.Identity;

/// <summary>
/// A node's keys, all reproducible from one secp256k1 signing key, which is itself derived from a seed and the node name
/// (so the AppHost registers the same keys on-chain that the nodes later use):
/// <list type="bullet">
/// <item>signing key (secp256k1, Nethereum <see cref="EthECKey"/>): address, EIP-191 signatures, the registry's <c>signer</c>;</item>
/// <item>encryption key (X25519, 32 bytes, as the original's nodes register <c>encryptionPublicKey</c>): vault secrets are sealed to it;</item>
/// <item>CSA key (Ed25519 public key, 32 bytes, the registry's <c>csaKey</c>);</item>
/// <item>p2p id: keccak256 of the uncompressed signing public key without its 0x04 prefix.</item>
/// </list>
/// </summary>
public sealed class NodeKeys
{
    private static readonly BigInteger Secp256k1Order =
        BigInteger.Parse("0FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);

    private readonly byte[] _encryptionPrivateKey;

    private NodeKeys(EthECKey signingKey)
    {
        SigningKey = signingKey;
        Address = signingKey.GetPublicAddress().ToLowerInvariant();
        AddressBytes = signingKey.GetPublicAddressAsBytes();
        P2pId = Sha3Keccack.Current.CalculateHash(signingKey.GetPubKeyNoPrefix());
        var privateKey = signingKey.GetPrivateKeyAsBytes();
        _encryptionPrivateKey = new X25519PrivateKeyParameters(Subkey(privateKey, "encryption")).GetEncoded();
        EncryptionPublicKey = new X25519PrivateKeyParameters(_encryptionPrivateKey).GeneratePublicKey().GetEncoded();
        CsaPublicKey = new Ed25519PrivateKeyParameters(Subkey(privateKey, "csa")).GeneratePublicKey().GetEncoded();
    }

    /// <summary>The secp256k1 key the node signs with.</summary>
    public EthECKey SigningKey { get; }

    /// <summary>Lower-case 0x address of <see cref="SigningKey"/>.</summary>
    public string Address { get; }

    /// <summary>The 20-byte address.</summary>
    public byte[] AddressBytes { get; }

    /// <summary>32-byte p2p id.</summary>
    public byte[] P2pId { get; }

    /// <summary>32-byte X25519 public key registered as the node's encryptionPublicKey.</summary>
    public byte[] EncryptionPublicKey { get; }

    /// <summary>32-byte X25519 private key (opens what is sealed to <see cref="EncryptionPublicKey"/>).</summary>
    public byte[] EncryptionPrivateKey => (byte[])_encryptionPrivateKey.Clone();

    /// <summary>32-byte Ed25519 public key registered as the node's csaKey.</summary>
    public byte[] CsaPublicKey { get; }

    /// <summary>
    /// The registry's bytes32 <c>signer</c>: the 20-byte address followed by 12 zero bytes, as the original's deployment
    /// copies a node's on-chain signing key into the field.
    /// </summary>
    public byte[] SignerBytes32 => [.. AddressBytes, .. new byte[12]];

    /// <summary>
    /// Keys of node <paramref name="name"/> under <paramref name="seed"/>: signing key = keccak256(seed ‖ "/" ‖ name),
    /// re-hashed in the (astronomically unlikely) case it is not a valid secp256k1 scalar.
    /// </summary>
    public static NodeKeys Derive(string seed, string name)
    {
        ArgumentNullException.ThrowIfNull(seed);
        ArgumentNullException.ThrowIfNull(name);
        var material = Sha3Keccack.Current.CalculateHash(Encoding.UTF8.GetBytes(seed + "/" + name));
        while (!IsValidScalar(material))
        {
            material = Sha3Keccack.Current.CalculateHash(material);
        }

        return new NodeKeys(new EthECKey(material, true));
    }

    /// <summary>Keys of a node whose signing key is given (e.g. Node__PrivateKey); the other keys follow from it.</summary>
    public static NodeKeys FromSigningKey(EthECKey signingKey)
    {
        ArgumentNullException.ThrowIfNull(signingKey);
        return new NodeKeys(signingKey);
    }

    /// <summary>Parses a 0x-prefixed or bare 64-hex-char secp256k1 private key.</summary>
    public static NodeKeys FromPrivateKeyHex(string privateKeyHex)
    {
        ArgumentNullException.ThrowIfNull(privateKeyHex);
        var hex = privateKeyHex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? privateKeyHex[2..] : privateKeyHex;
        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(hex);
        }
        catch (FormatException ex)
        {
            throw new FormatException("The private key is not hex; give 32 bytes as 64 hex characters (with or without 0x).", ex);
        }

        if (bytes.Length != 32 || !IsValidScalar(bytes))
        {
            throw new FormatException($"The private key must be 32 bytes in [1, n-1] of secp256k1; got {bytes.Length} bytes{(bytes.Length == 32 ? " outside that range" : "")}.");
        }

        return new NodeKeys(new EthECKey(bytes, true));
    }

    private static bool IsValidScalar(byte[] bytes)
    {
        var value = new BigInteger(bytes, isUnsigned: true, isBigEndian: true);
        return value > 0 && value < Secp256k1Order;
    }

    /// <summary>A 32-byte subkey for one purpose: HMAC-SHA256(signing key, "creaspire/node-key/v1/" + purpose).</summary>
    private static byte[] Subkey(byte[] signingPrivateKey, string purpose) =>
        HMACSHA256.HashData(signingPrivateKey, Encoding.ASCII.GetBytes("creaspire/node-key/v1/" + purpose));
}
