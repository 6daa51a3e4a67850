using CreAspire.Chain.Crypto;
using Org.BouncyCastle.Asn1.X9;
using Org.BouncyCastle.Crypto.Digests;
using Org.BouncyCastle.Crypto.EC;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Math.EC.Multiplier;

namespace CreAspire.Don.Transport;

/// <summary>
/// EIP-191 signing for the transport's hot path. Produces exactly what <see cref="EthKey.SignHash"/> produces
/// (RFC 6979 k, low-s, same v) but takes the recovery id from the parity of R = k·G instead of trial recoveries,
/// which makes a signature about 20x cheaper.
/// </summary>
internal sealed class NodeSigner(EthKey key)
{
    private static readonly X9ECParameters Curve = CustomNamedCurves.GetByName("secp256k1");
    private static readonly BigInteger HalfN = Curve.N.ShiftRight(1);
    private static readonly FixedPointCombMultiplier BaseMultiplier = new();
    private readonly BigInteger _d = new(1, key.PrivateKeyBytes);

    public EthKey Key { get; } = key;

    public byte[] SignPersonalMessage(ReadOnlySpan<byte> message) => SignHash(Eip191.Hash(message));

    /// <summary>65 bytes r ‖ s ‖ v (v = 27/28) over a 32-byte hash.</summary>
    public byte[] SignHash(byte[] hash32)
    {
        var n = Curve.N;
        var e = new BigInteger(1, hash32);
        var kCalculator = new HMacDsaKCalculator(new Sha256Digest());
        kCalculator.Init(n, _d, hash32);
        while (true)
        {
            var k = kCalculator.NextK();
            var point = BaseMultiplier.Multiply(Curve.G, k).Normalize();
            var x = point.AffineXCoord.ToBigInteger();
            var r = x.Mod(n);
            if (r.SignValue == 0 || x.CompareTo(n) >= 0)
            {
                continue; // r = 0, or R.x ≥ n (probability ~2^-128): take the next k as ECDsaSigner does for r = 0
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

            var signature = new byte[65];
            var rBytes = r.ToByteArrayUnsigned();
            var sBytes = s.ToByteArrayUnsigned();
            rBytes.CopyTo(signature, 32 - rBytes.Length);
            sBytes.CopyTo(signature, 64 - sBytes.Length);
            signature[64] = (byte)(27 + recoveryId);
            return signature;
        }
    }
}
