using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace CreAspire.Attestation.Nitro;

/// <summary>What a <see cref="NitroAttestationVerifier"/> trusts and how fresh a document must be.</summary>
public sealed record NitroVerifierOptions
{
    /// <summary>Default maximum age (either side of now), as chainlink-common's CL112-10 freshness check.</summary>
    public static readonly TimeSpan DefaultMaxAge = TimeSpan.FromMinutes(5);

    /// <summary>The CA roots a document's chain must end in (the AWS Nitro root in production, the fake NSM's root locally).</summary>
    public required IReadOnlyList<X509Certificate2> CaRoots { get; init; }

    /// <summary>The accepted PCR0..2 sets; the first match wins (each enclave build has its own values).</summary>
    public required IReadOnlyList<TrustedPcrSet> TrustedPcrs { get; init; }

    /// <summary>How far the document's timestamp may be from now, in either direction.</summary>
    public TimeSpan MaxAge { get; init; } = DefaultMaxAge;

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>
/// Verifies AWS Nitro attestation documents (COSE_Sign1 / ES384 over a CBOR document, X.509 chain to a configured
/// root). Checks run in the order of chainlink-common's nitro verifier except that the COSE signature is checked right after
/// the leaf certificate (see <see cref="Verify"/>); each fails with its own <see cref="NitroFailure"/>, and so does every
/// malformed document: no other exception leaves <see cref="Verify"/> for any input bytes.
/// </summary>
public sealed class NitroAttestationVerifier
{
    private const int MaxPcrs = 32;
    private const int MaxFieldLength = 1024;
    private const string EcdsaWithSha384Oid = "1.2.840.10045.4.3.3";
    private static readonly int[] PcrLengths = [32, 48, 64];

    private readonly NitroVerifierOptions _options;

    public NitroAttestationVerifier(NitroVerifierOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.CaRoots.Count == 0)
        {
            throw new ArgumentException("at least one CA root is required; pass the AWS Nitro root or the fake NSM's CaRootsPem", nameof(options));
        }

        if (options.TrustedPcrs.Count == 0)
        {
            throw new ArgumentException("at least one trusted PCR set is required; pass the enclave's TrustedPcrsJson", nameof(options));
        }

        _options = options;
    }

    /// <summary>A verifier from the relay configuration's two strings: PEM CA roots and trusted PCR JSON.</summary>
    public static NitroAttestationVerifier FromPem(string caRootsPem, string trustedPcrsJson, TimeProvider? timeProvider = null, TimeSpan? maxAge = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caRootsPem);
        var roots = new X509Certificate2Collection();
        roots.ImportFromPem(caRootsPem);
        return new NitroAttestationVerifier(new NitroVerifierOptions
        {
            CaRoots = [.. roots],
            TrustedPcrs = TrustedPcrSet.ParseJson(trustedPcrsJson),
            TimeProvider = timeProvider ?? TimeProvider.System,
            MaxAge = maxAge ?? NitroVerifierOptions.DefaultMaxAge,
        });
    }

    /// <summary>Verifies a base64 document (as carried in relay params); a non-base64 string fails as <see cref="NitroFailure.NotCbor"/>.</summary>
    public NitroDocument VerifyBase64(string documentBase64, ReadOnlySpan<byte> expectedUserData)
    {
        byte[] document;
        try
        {
            document = Convert.FromBase64String(documentBase64 ?? "");
        }
        catch (FormatException ex)
        {
            throw new NitroAttestationException(NitroFailure.NotCbor, "attestation is not base64", ex);
        }

        return Verify(document, expectedUserData);
    }

    /// <summary>
    /// Verifies <paramref name="document"/> and requires its user_data to equal <paramref name="expectedUserData"/>.
    /// Throws <see cref="NitroAttestationException"/> naming the first rule broken.
    /// </summary>
    public NitroDocument Verify(ReadOnlyMemory<byte> document, ReadOnlySpan<byte> expectedUserData)
    {
        var sign1 = CoseSign1.Decode(document);
        if (sign1.ReadAlgorithm() is not (CoseSign1.Es384 or "ES384"))
        {
            throw Fail(NitroFailure.UnsupportedAlgorithm, "COSE Sign1 algorithm is not ECDSA P-384");
        }

        var payload = NitroPayload.Decode(sign1.Payload);
        ValidateFields(payload);
        using var leaf = ParseLeaf(payload.Certificate!, out var leafKey);
        using (leafKey)
        {
            // The signature is checked before the chain (chainlink-common checks it last): every rule still has to pass,
            // but a corrupted or forged document is refused after one ECDSA verification (about 1 ms) instead of after an
            // X509 chain build (about 9 ms on this machine, measured by NitroFuzzTests' bit flips), which also keeps the
            // relay cheap to flood with garbage.
            var signature = sign1.Signature;
            if (signature.Length != 96 || !leafKey.VerifyData(sign1.SignatureStructure(), signature, HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation))
            {
                throw Fail(NitroFailure.BadSignature, "attestation signature does not match certificate");
            }
        }

        var caBundle = payload.CaBundle!.Select((der, i) => ParseCertificate(der!, $"cabundle[{i}]")).ToArray();
        try
        {
            var now = _options.TimeProvider.GetUtcNow();
            var timestamp = ReadTimestamp(payload.Timestamp!.Value);
            if ((now - timestamp).Duration() > _options.MaxAge)
            {
                throw Fail(NitroFailure.StaleTimestamp, $"attestation timestamp {timestamp:O} is more than {_options.MaxAge} from now ({now:O})");
            }

            VerifyChain(leaf, caBundle, now);

            if (payload.UserData is null || !payload.UserData.AsSpan().SequenceEqual(expectedUserData))
            {
                throw Fail(NitroFailure.UserDataMismatch, $"expected user data {Convert.ToHexStringLower(expectedUserData)}, got {(payload.UserData is null ? "none" : Convert.ToHexStringLower(payload.UserData))}");
            }

            var pcrs = payload.Pcrs!.ToDictionary(p => (int)p.Key, p => p.Value!);
            if (!_options.TrustedPcrs.Any(set => set.Matches(pcrs)))
            {
                throw Fail(NitroFailure.PcrMismatch, $"no trusted PCR set matched: pcr0 {Hex(pcrs, 0)} pcr1 {Hex(pcrs, 1)} pcr2 {Hex(pcrs, 2)} match none of {_options.TrustedPcrs.Count} trusted sets");
            }

            return new NitroDocument(
                payload.ModuleId!, timestamp, payload.Digest!, pcrs, payload.Certificate!, payload.CaBundle!.Select(c => c!).ToArray(),
                payload.PublicKey, payload.UserData, payload.Nonce);
        }
        finally
        {
            foreach (var certificate in caBundle)
            {
                certificate.Dispose();
            }
        }
    }

    private static void ValidateFields(NitroPayload doc)
    {
        if (string.IsNullOrEmpty(doc.ModuleId) || string.IsNullOrEmpty(doc.Digest) || doc.Timestamp is null
            || doc.Pcrs is null || doc.Certificate is null || doc.CaBundle is null)
        {
            throw Fail(NitroFailure.MissingMandatoryField, $"attestation document is missing mandatory fields ({string.Join(", ", MissingFields(doc))})");
        }

        if (doc.Digest != "SHA384")
        {
            throw Fail(NitroFailure.UnsupportedDigest, $"attestation digest is not SHA384 (got '{doc.Digest}')");
        }

        if (doc.Timestamp == 0)
        {
            throw Fail(NitroFailure.BadTimestamp, "attestation timestamp is 0");
        }

        if (doc.Pcrs.Count is < 1 or > MaxPcrs)
        {
            throw Fail(NitroFailure.BadPcrCount, $"attestation pcrs is less than 1 or more than 32 (got {doc.Pcrs.Count})");
        }

        foreach (var (index, value) in doc.Pcrs)
        {
            if (index is < 0 or >= MaxPcrs)
            {
                throw Fail(NitroFailure.BadPcrIndex, $"attestation pcr index {index} is not in [0, 32)");
            }

            if (value is null || !PcrLengths.Contains(value.Length))
            {
                throw Fail(NitroFailure.BadPcrLength, $"attestation pcr {index} value length {value?.Length ?? 0} is not 32, 48 or 64");
            }
        }

        if (doc.CaBundle.Count == 0)
        {
            throw Fail(NitroFailure.EmptyCaBundle, "attestation cabundle is empty");
        }

        if (doc.CaBundle.Any(item => item is null || item.Length is < 1 or > MaxFieldLength))
        {
            throw Fail(NitroFailure.BadCaBundleItem, "attestation cabundle item is empty or longer than 1024 bytes");
        }

        if (doc.PublicKey?.Length > MaxFieldLength)
        {
            throw Fail(NitroFailure.BadPublicKeyLength, "attestation public_key is longer than 1024 bytes");
        }

        if (doc.UserData?.Length > MaxFieldLength)
        {
            throw Fail(NitroFailure.BadUserDataLength, "attestation user_data is longer than 1024 bytes");
        }

        if (doc.Nonce?.Length > MaxFieldLength)
        {
            throw Fail(NitroFailure.BadNonceLength, "attestation nonce is longer than 1024 bytes");
        }
    }

    /// <summary>The leaf certificate and its public key, which must be ECDSA P-384, in a certificate signed with ECDSA SHA-384.</summary>
    private static X509Certificate2 ParseLeaf(byte[] der, out ECDsa key)
    {
        var leaf = ParseCertificate(der, "certificate");
        ECDsa? parsed;
        try
        {
            parsed = leaf.GetECDsaPublicKey();
        }
        catch (CryptographicException ex)
        {
            leaf.Dispose();
            throw Fail(NitroFailure.UnsupportedCertificateKey, $"attestation certificate public key is not a valid ECDSA P-384 key: {ex.Message}");
        }

        if (parsed is null || parsed.KeySize != 384)
        {
            parsed?.Dispose();
            leaf.Dispose();
            throw Fail(NitroFailure.UnsupportedCertificateKey, "attestation certificate public key is not ECDSA P-384");
        }

        if (leaf.SignatureAlgorithm.Value != EcdsaWithSha384Oid)
        {
            var algorithm = leaf.SignatureAlgorithm.FriendlyName ?? leaf.SignatureAlgorithm.Value;
            parsed.Dispose();
            leaf.Dispose();
            throw Fail(NitroFailure.UnsupportedCertificateSignatureAlgorithm, $"attestation certificate signature algorithm is not ECDSAWithSHA384 (got {algorithm})");
        }

        key = parsed;
        return leaf;
    }

    /// <summary>
    /// A certificate whose fields the later checks read (validity, subject, issuer, signature algorithm, key usage, basic
    /// constraints) all decode: the
    /// platform decodes them lazily, so a malformed field would otherwise throw CryptographicException in a later check.
    /// </summary>
    private static X509Certificate2 ParseCertificate(byte[] der, string field)
    {
        X509Certificate2? certificate = null;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der);
            _ = certificate.NotBefore;
            _ = certificate.NotAfter;
            _ = certificate.Subject;
            _ = certificate.Issuer;
            _ = certificate.SignatureAlgorithm.Value;
            foreach (var extension in certificate.Extensions)
            {
                _ = extension switch
                {
                    X509KeyUsageExtension keyUsage => keyUsage.KeyUsages,
                    X509BasicConstraintsExtension constraints => (object)constraints.CertificateAuthority,
                    _ => null,
                };
            }

            return certificate;
        }
        catch (CryptographicException ex)
        {
            certificate?.Dispose();
            throw Fail(NitroFailure.BadCertificate, $"attestation {field} is not a DER X.509 certificate: {ex.Message}");
        }
    }

    private static DateTimeOffset ReadTimestamp(ulong milliseconds) =>
        milliseconds <= (ulong)DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
            ? DateTimeOffset.FromUnixTimeMilliseconds((long)milliseconds)
            : throw Fail(NitroFailure.BadTimestamp, $"attestation timestamp {milliseconds} is out of range");

    /// <summary>Leaf validity, then a chain to a configured root only (cabundle items are intermediates), then cabundle[0] must be a configured root.</summary>
    private void VerifyChain(X509Certificate2 leaf, X509Certificate2[] caBundle, DateTimeOffset now)
    {
        if (now < leaf.NotBefore.ToUniversalTime() || now > leaf.NotAfter.ToUniversalTime())
        {
            throw Fail(NitroFailure.CertificateNotTimeValid, $"attestation certificate is valid from {leaf.NotBefore.ToUniversalTime():O} to {leaf.NotAfter.ToUniversalTime():O}, not at {now:O}");
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_options.CaRoots.ToArray());
        chain.ChainPolicy.ExtraStore.AddRange(caBundle);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.DisableCertificateDownloads = true;
        chain.ChainPolicy.VerificationTime = now.UtcDateTime;
        bool built;
        try
        {
            built = chain.Build(leaf);
        }
        catch (CryptographicException ex)
        {
            throw Fail(NitroFailure.UntrustedCertificateChain, $"attestation certificate chain cannot be built: {ex.Message}");
        }

        if (!built)
        {
            var reasons = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Distinct());
            throw Fail(NitroFailure.UntrustedCertificateChain, $"attestation certificate chain does not lead to a configured CA root: {reasons}");
        }

        if (!_options.CaRoots.Any(root => root.RawDataMemory.Span.SequenceEqual(caBundle[0].RawDataMemory.Span)))
        {
            throw Fail(NitroFailure.CaBundleRootNotTrusted, $"attestation cabundle root '{caBundle[0].Subject}' is not a configured CA root");
        }
    }

    private static IEnumerable<string> MissingFields(NitroPayload doc)
    {
        if (string.IsNullOrEmpty(doc.ModuleId)) yield return "module_id";
        if (string.IsNullOrEmpty(doc.Digest)) yield return "digest";
        if (doc.Timestamp is null) yield return "timestamp";
        if (doc.Pcrs is null) yield return "pcrs";
        if (doc.Certificate is null) yield return "certificate";
        if (doc.CaBundle is null) yield return "cabundle";
    }

    private static string Hex(Dictionary<int, byte[]> pcrs, int index) =>
        pcrs.TryGetValue(index, out var value) ? Convert.ToHexStringLower(value) : "absent";

    private static NitroAttestationException Fail(NitroFailure failure, string message) => new(failure, message);
}
