using System.Text;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC;
using Org.BouncyCastle.Math.EC.Multiplier;

namespace CreAspire.Chain.Crypto;

/// <summary>A secp256k1 private key with its Ethereum address: signing (RFC 6979, low-s) and public-key recovery.</summary>
public sealed class EthKey
{
    internal static readonly X9ECParameters Curve = CustomNamedCurves.GetByName("secp256k1");
    internal static readonly ECDomainParameters Domain = new(Curve.Curve, Curve.G, Curve.N, Curve.H);
    private static readonly BigInteger HalfN = Curve.N.ShiftRight(1);
    private static readonly FixedPointCombMultiplier BaseMultiplier = new();

    private readonly BigInteger _d;

    public EthKey(ReadOnlySpan<byte> privateKey)
    {
        if (privateKey.Length != 32)
        {
            throw new ArgumentException($"A secp256k1 private key is 32 bytes; got {privateKey.Length}.", nameof(privateKey));
        }

        _d = new BigInteger(1, privateKey.ToArray());
        if (_d.SignValue <= 0 || _d.CompareTo(Curve.N) >= 0)
        {
            throw new ArgumentException("The private key is outside [1, n-1] of secp256k1.", nameof(privateKey));
        }

        var q = Domain.G.Multiply(_d).Normalize();
        PublicKey = q.GetEncoded(false); // 65 bytes, 0x04 ‖ X ‖ Y
        AddressBytes = AddressFromPublicKey(PublicKey);
        Address = Hex.Encode0x(AddressBytes);
    }

    /// <summary>Parses a 0x-prefixed or bare 64-hex-char private key.</summary>
    public static EthKey FromHex(string privateKeyHex) => new(Hex.Decode(privateKeyHex));

    /// <summary>
    /// Derives a reproducible node key from a seed and a node name: keccak256(seed ‖ "/" ‖ name), re-hashed in the
    /// (astronomically unlikely) case it is not a valid scalar. Same seed and name → same key and address on every run.
    /// </summary>
    public static EthKey Derive(string seed, string name)
    {
        var material = Keccak256.Hash(Encoding.UTF8.GetBytes(seed + "/" + name));
        while (true)
        {
            var candidate = new BigInteger(1, material);
            if (candidate.SignValue > 0 && candidate.CompareTo(Curve.N) < 0)
            {
                return new EthKey(material);
            }

            material = Keccak256.Hash(material);
        }
    }

    /// <summary>Uncompressed public key, 65 bytes (0x04 ‖ X ‖ Y).</summary>
    public byte[] PublicKey { get; }

    /// <summary>20-byte address.</summary>
    public byte[] AddressBytes { get; }

    /// <summary>Lower-case 0x address.</summary>
    public string Address { get; }

    /// <summary>32-byte private key (big-endian).</summary>
    public byte[] PrivateKeyBytes => _d.ToByteArrayUnsigned().PadLeft(32);

    /// <summary>
    /// Signs a 32-byte hash deterministically (RFC 6979 k with HMAC-SHA256), normalises s to the low half, and takes the
    /// recovery id from the parity of R = k·G (flipped with s), rather than by trial recoveries: about 20x cheaper, and
    /// signing is on every hot path (DON transport, gateway handshake, compute requests).
    /// </summary>
    public EthSignature SignHash(ReadOnlySpan<byte> hash32)
    {
        if (hash32.Length != 32)
        {
            throw new ArgumentException($"Only 32-byte hashes are signed; got {hash32.Length} bytes.", nameof(hash32));
        }

        var n = Curve.N;
        var hash = hash32.ToArray();
        var e = new BigInteger(1, hash);
        var kCalculator = new HMacDsaKCalculator(new Sha256Digest());
        kCalculator.Init(n, _d, hash);
        while (true)
        {
            var k = kCalculator.NextK();
            var point = BaseMultiplier.Multiply(Curve.G, k).Normalize();
            var x = point.AffineXCoord.ToBigInteger();
            var r = x.Mod(n);
            if (r.SignValue == 0 || x.CompareTo(n) >= 0)
            {
                continue; // r = 0, or R.x ≥ n (probability ~2^-128, its recovery id would need the x+n form): next k
            }

            var s = k.ModInverse(n).Multiply(e.Add(_d.Multiply(r))).Mod(n);
            if (s.SignValue == 0)
            {
                continue;
            }

            var recoveryId = point.AffineYCoord.TestBitZero() ? 1 : 0;
            if (s.CompareTo(HalfN) > 0)
            {
                s = n.Subtract(s);
                recoveryId ^= 1;
            }

            return new EthSignature(r.ToByteArrayUnsigned().PadLeft(32), s.ToByteArrayUnsigned().PadLeft(32), (byte)recoveryId);
        }
    }

    /// <summary>EIP-191 personal_sign: signs keccak256("\x19Ethereum Signed Message:\n" + len + message); returns 65 bytes with v = 27/28.</summary>
    public byte[] SignPersonalMessage(ReadOnlySpan<byte> message) => SignHash(Eip191.Hash(message)).ToBytes65();

    /// <summary>Recovers the uncompressed public key from a hash and signature; null if the signature is invalid.</summary>
    public static byte[]? RecoverPublicKey(ReadOnlySpan<byte> hash32, EthSignature signature)
    {
        ArgumentNullException.ThrowIfNull(signature);
        return RecoverPublicKey(hash32, new BigInteger(1, signature.R), new BigInteger(1, signature.S), signature.RecoveryId);
    }

    /// <summary>Recovers the signer's 0x address from a hash and signature; null if the signature is invalid.</summary>
    public static string? RecoverAddress(ReadOnlySpan<byte> hash32, EthSignature signature) =>
        RecoverPublicKey(hash32, signature) is { } pub ? Hex.Encode0x(AddressFromPublicKey(pub)) : null;

    /// <summary>20-byte address = last 20 bytes of keccak256(X ‖ Y).</summary>
    public static byte[] AddressFromPublicKey(ReadOnlySpan<byte> uncompressedPublicKey)
    {
        var xy = uncompressedPublicKey.Length == 65 ? uncompressedPublicKey[1..] : uncompressedPublicKey;
        if (xy.Length != 64)
        {
            throw new ArgumentException("Expected a 64- or 65-byte uncompressed public key.", nameof(uncompressedPublicKey));
        }

        return Keccak256.Hash(xy)[12..];
    }

    /// <summary>ECDH on secp256k1: the 32-byte X coordinate of (this private key × peer public key).</summary>
    public byte[] SharedSecret(ReadOnlySpan<byte> peerPublicKey)
    {
        ECPoint peer;
        try
        {
            peer = Curve.Curve.DecodePoint(peerPublicKey.ToArray());
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"The peer public key is not a valid secp256k1 point: {ex.Message}", nameof(peerPublicKey), ex);
        }

        var shared = peer.Multiply(_d).Normalize();
        if (shared.IsInfinity)
        {
            throw new ArgumentException("ECDH produced the point at infinity.", nameof(peerPublicKey));
        }

        return shared.AffineXCoord.ToBigInteger().ToByteArrayUnsigned().PadLeft(32);
    }

    private static byte[]? RecoverPublicKey(ReadOnlySpan<byte> hash32, BigInteger r, BigInteger s, int recId)
    {
        var n = Curve.N;
        if (r.SignValue <= 0 || r.CompareTo(n) >= 0 || s.SignValue <= 0 || s.CompareTo(n) >= 0)
        {
            return null;
        }

        // x = r (secp256k1's cofactor is 1 and r < p; the r + n case has negligible probability and is not produced by SignHash).
        var prime = Curve.Curve.Field.Characteristic;
        if (r.CompareTo(prime) >= 0)
        {
            return null;
        }

        var encoded = new byte[33];
        encoded[0] = (byte)(0x02 + (recId & 1));
        r.ToByteArrayUnsigned().PadLeft(32).CopyTo(encoded, 1);
        ECPoint rPoint;
        try
        {
            rPoint = Curve.Curve.DecodePoint(encoded);
        }
        catch (ArgumentException)
        {
            return null;
        }

        var e = new BigInteger(1, hash32.ToArray());
        var rInv = r.ModInverse(n);
        var eNeg = BigInteger.Zero.Subtract(e).Mod(n);
        var q = ECAlgorithms.SumOfTwoMultiplies(Curve.G, eNeg.Multiply(rInv).Mod(n), rPoint, s.Multiply(rInv).Mod(n)).Normalize();
        return q.IsInfinity ? null : q.GetEncoded(false);
    }
}

internal static class ByteArrayPadding
{
    public static byte[] PadLeft(this byte[] bytes, int length)
    {
        if (bytes.Length == length)
        {
            return bytes;
        }

        if (bytes.Length > length)
        {
            throw new ArgumentException($"Value of {bytes.Length} bytes does not fit in {length} bytes.");
        }

        var padded = new byte[length];
        bytes.CopyTo(padded, length - bytes.Length);
        return padded;
    }
}
