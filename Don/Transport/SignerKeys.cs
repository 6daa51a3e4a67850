using System.Collections.Concurrent;
using System.Security.Cryptography;
using CreAspire.Chain.Crypto;

namespace CreAspire.Don.Transport;

/// <summary>
/// Fast signature checks for known senders. The first message from an address is checked by public-key recovery
/// (BouncyCastle); the recovered key is then kept and later signatures from that address are verified against it with
/// the platform's ECDSA (OpenSSL secp256k1), which is an order of magnitude cheaper than recovery. Both prove the same
/// thing: the holder of the address's key signed this hash.
/// </summary>
internal static class SignerKeys
{
    private static readonly ConcurrentDictionary<string, KnownKey> Known = new(StringComparer.Ordinal);
    private static readonly Lazy<bool> PlatformSupportsSecp256k1 = new(() =>
    {
        try
        {
            using var probe = ECDsa.Create(ECCurve.CreateFromFriendlyName("secP256k1"));
            return true;
        }
        catch (Exception ex) when (ex is PlatformNotSupportedException or CryptographicException)
        {
            return false;
        }
    });

    /// <summary>True when <paramref name="signature65"/> over <paramref name="hash32"/> was made by <paramref name="address"/>'s key.</summary>
    public static bool IsSignedBy(string address, byte[] hash32, byte[] signature65)
    {
        var key = address.ToLowerInvariant();
        if (Known.TryGetValue(key, out var known))
        {
            return known.Verify(hash32, signature65);
        }

        EthSignature signature;
        try
        {
            signature = EthSignature.FromBytes65(signature65);
        }
        catch (ArgumentException)
        {
            return false;
        }

        var publicKey = EthKey.RecoverPublicKey(hash32, signature);
        if (publicKey is null || Hex.Encode0x(EthKey.AddressFromPublicKey(publicKey)) != key)
        {
            return false;
        }

        if (PlatformSupportsSecp256k1.Value)
        {
            Known.TryAdd(key, new KnownKey(publicKey));
        }

        return true;
    }

    private sealed class KnownKey(byte[] publicKey)
    {
        private readonly Lock _lock = new();
        private readonly ECDsa _ecdsa = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.CreateFromFriendlyName("secP256k1"),
            Q = new ECPoint { X = publicKey[1..33], Y = publicKey[33..65] },
        });

        public bool Verify(byte[] hash32, byte[] signature65)
        {
            if (signature65.Length != 65)
            {
                return false;
            }

            lock (_lock)
            {
                return _ecdsa.VerifyHash(hash32, signature65.AsSpan(0, 64));
            }
        }
    }
}
