using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using CreAspire.Attestation.Nitro;

namespace CreAspire.Attestation.Testing;

/// <summary>
/// A fake Nitro Secure Module (after chainlink-common's nitrofake): a self-signed P-384 root, a leaf certificate it
/// signs (ECDSA SHA-384), PCR0..2 = SHA-384("fake-pcr-N"). Documents are in the real AWS format: untagged COSE_Sign1
/// with protected {1: -35}, raw r‖s signature, CBOR payload. The root persists (<see cref="SaveTo"/>/<see cref="Load"/>)
/// so the relay DON's trust configuration stays valid across enclave restarts; the leaf is issued per load, as an NSM
/// issues one per enclave boot.
/// </summary>
public sealed class FakeNitroIdentity : IDisposable
{
    public const string DefaultModuleId = "i-00000000000000000-enc0000000000000000";
    public const int PcrCount = 3;

    private const string RootKeyFile = "root.key.pem";
    private const string RootCertificateFile = "root.cert.pem";
    private const string ModuleIdFile = "module-id.txt";
    private static readonly TimeSpan DefaultLeafLifetime = TimeSpan.FromDays(30);

    private readonly X509Certificate2 _root;
    private readonly ECDsa _leafKey;
    private readonly TimeProvider _time;

    private FakeNitroIdentity(string moduleId, X509Certificate2 root, X509Certificate2 leaf, ECDsa leafKey, TimeProvider time)
    {
        ModuleId = moduleId;
        _root = root;
        Leaf = leaf;
        _leafKey = leafKey;
        _time = time;
        Pcrs = Enumerable.Range(0, PcrCount).ToDictionary(i => i, i => SHA384.HashData(Encoding.UTF8.GetBytes($"fake-pcr-{i}")));
    }

    public string ModuleId { get; }

    /// <summary>The self-signed root (without its private key): what verifiers must trust.</summary>
    public X509Certificate2 Root => X509CertificateLoader.LoadCertificate(_root.RawData);

    public X509Certificate2 Leaf { get; }

    /// <summary>PCR0..2 of this fake enclave image.</summary>
    public IReadOnlyDictionary<int, byte[]> Pcrs { get; }

    public TrustedPcrSet TrustedPcrs => new(Pcrs[0], Pcrs[1], Pcrs[2]);

    /// <summary><c>[{"pcr0":hex,"pcr1":hex,"pcr2":hex}]</c>, the relay configuration's trusted values.</summary>
    public string TrustedPcrsJson => TrustedPcrSet.ToJson([TrustedPcrs]);

    /// <summary>The root certificate as PEM, the relay configuration's CA roots.</summary>
    public string CaRootsPem => _root.ExportCertificatePem();

    /// <summary>A new identity with a fresh root and leaf.</summary>
    public static FakeNitroIdentity Create(string moduleId = DefaultModuleId, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(moduleId);
        time ??= TimeProvider.System;
        var now = time.GetUtcNow();
        using var rootKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest($"CN=creaspire.fake-nitro-root, O=CreAspire, OU={moduleId}", rootKey, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var root = request.CreateSelfSigned(now.AddMinutes(-5), now.AddYears(10));
        return IssueLeaf(moduleId, root, now.AddMinutes(-5), now.Add(DefaultLeafLifetime), time);
    }

    /// <summary>Loads the root saved by <see cref="SaveTo"/> and issues a fresh leaf.</summary>
    public static FakeNitroIdentity Load(string directory, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var keyPath = Path.Combine(directory, RootKeyFile);
        var certificatePath = Path.Combine(directory, RootCertificateFile);
        if (!File.Exists(keyPath) || !File.Exists(certificatePath))
        {
            throw new FileNotFoundException($"no fake Nitro identity in '{directory}' ({RootKeyFile} and {RootCertificateFile} expected); create one with FakeNitroIdentity.Create(...).SaveTo(dir)");
        }

        time ??= TimeProvider.System;
        var root = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath), File.ReadAllText(keyPath));
        var moduleIdPath = Path.Combine(directory, ModuleIdFile);
        var moduleId = File.Exists(moduleIdPath) ? File.ReadAllText(moduleIdPath).Trim() : DefaultModuleId;
        var now = time.GetUtcNow();
        var notAfter = now.Add(DefaultLeafLifetime) < root.NotAfter.ToUniversalTime() ? now.Add(DefaultLeafLifetime) : root.NotAfter.ToUniversalTime();
        return IssueLeaf(moduleId, root, now.AddMinutes(-5), notAfter, time);
    }

    /// <summary>Writes the root key (PKCS#8 PEM), root certificate (PEM) and module id to <paramref name="directory"/>.</summary>
    public void SaveTo(string directory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        using var rootKey = _root.GetECDsaPrivateKey()!;
        File.WriteAllText(Path.Combine(directory, RootKeyFile), rootKey.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(Path.Combine(directory, RootCertificateFile), _root.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, ModuleIdFile), ModuleId);
    }

    /// <summary>The same root and PCRs with a leaf valid only in [<paramref name="notBefore"/>, <paramref name="notAfter"/>].</summary>
    public FakeNitroIdentity WithLeafValidity(DateTimeOffset notBefore, DateTimeOffset notAfter) =>
        IssueLeaf(ModuleId, X509CertificateLoader.LoadPkcs12(_root.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable), notBefore, notAfter, _time);

    /// <summary>An attestation document binding <paramref name="userData"/> (and optionally a public key and nonce).</summary>
    public byte[] Attest(byte[] userData, byte[]? publicKey = null, byte[]? nonce = null, DateTimeOffset? timestamp = null) =>
        Sign(Contents(userData, publicKey, nonce, timestamp));

    /// <summary>The payload <see cref="Attest"/> would sign; tests alter one field and <see cref="Sign(FakeAttestationContents)"/> it.</summary>
    public FakeAttestationContents Contents(byte[]? userData, byte[]? publicKey = null, byte[]? nonce = null, DateTimeOffset? timestamp = null) => new()
    {
        ModuleId = ModuleId,
        TimestampMilliseconds = (ulong)(timestamp ?? _time.GetUtcNow()).ToUnixTimeMilliseconds(),
        Pcrs = Pcrs.ToDictionary(p => (long)p.Key, p => p.Value),
        Certificate = Leaf.RawData,
        CaBundle = [_root.RawData],
        PublicKey = publicKey,
        UserData = userData,
        Nonce = nonce,
    };

    /// <summary>Signs <paramref name="contents"/> with the leaf key as an untagged COSE_Sign1.</summary>
    public byte[] Sign(FakeAttestationContents contents)
    {
        ArgumentNullException.ThrowIfNull(contents);
        return Sign(contents.Encode());
    }

    /// <summary>Signs an arbitrary payload; <paramref name="algorithm"/> is written into the protected header as given.</summary>
    public byte[] Sign(byte[] payload, long algorithm = -35)
    {
        var header = new CborWriter(CborConformanceMode.Lax);
        header.WriteStartMap(1);
        header.WriteInt64(1);
        header.WriteInt64(algorithm);
        header.WriteEndMap();
        var protectedHeader = header.Encode();

        var toBeSigned = new CborWriter(CborConformanceMode.Lax);
        toBeSigned.WriteStartArray(4);
        toBeSigned.WriteTextString("Signature1");
        toBeSigned.WriteByteString(protectedHeader);
        toBeSigned.WriteByteString([]);
        toBeSigned.WriteByteString(payload);
        toBeSigned.WriteEndArray();
        var signature = _leafKey.SignData(toBeSigned.Encode(), HashAlgorithmName.SHA384, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        var message = new CborWriter(CborConformanceMode.Lax);
        message.WriteStartArray(4);
        message.WriteByteString(protectedHeader);
        message.WriteStartMap(0);
        message.WriteEndMap();
        message.WriteByteString(payload);
        message.WriteByteString(signature);
        message.WriteEndArray();
        return message.Encode();
    }

    public void Dispose()
    {
        _leafKey.Dispose();
        Leaf.Dispose();
        _root.Dispose();
    }

    private static FakeNitroIdentity IssueLeaf(string moduleId, X509Certificate2 root, DateTimeOffset notBefore, DateTimeOffset notAfter, TimeProvider time)
    {
        var leafKey = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest($"CN={moduleId}.fake-nitro-enclave, O=CreAspire", leafKey, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(root, true, false));
        var leaf = request.Create(root, notBefore, notAfter, RandomNumberGenerator.GetBytes(16));
        return new FakeNitroIdentity(moduleId, root, leaf, leafKey, time);
    }
}
