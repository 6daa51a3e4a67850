using System.Formats.Cbor;
using CreAspire.Attestation.Nitro;
using CreAspire.Attestation.Testing;
using CreAspire.Fuzzing;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace CreAspire.Attestation.Tests;

/// <summary>
/// Structure-aware fuzzing of the COSE_Sign1 envelope and the CBOR payload map: each field of a valid document replaced
/// by each hostile CBOR value (wrong major type, null, undefined, tags, floats, 64-bit extremes, huge and empty strings,
/// nested containers, indefinite lengths), removed or written twice; PCR maps and cabundles with hostile entries; COSE
/// envelopes of the wrong shape; and seeded random CBOR trees in random fields. Payload mutants are re-signed by the fake
/// NSM, so they pass the signature and reach every later check. The mutations are fixed by the seed; the fake NSM's keys
/// are fresh per run, which changes key bytes but no outcome.
/// </summary>
public sealed class CoseCborFuzzTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly byte[] UserData = new byte[32];

    private readonly ITestOutputHelper _output;
    private readonly FakeNitroIdentity _identity;
    private readonly NitroAttestationVerifier _verifier;

    public CoseCborFuzzTests(ITestOutputHelper output)
    {
        _output = output;
        var clock = new FakeTimeProvider(Now);
        _identity = FakeNitroIdentity.Create(time: clock);
        _verifier = NitroAttestationVerifier.FromPem(_identity.CaRootsPem, _identity.TrustedPcrsJson, clock);
    }

    public void Dispose() => _identity.Dispose();

    /// <summary>CBOR values put where a field's value belongs, by name.</summary>
    private static readonly (string Name, Action<CborWriter> Write)[] HostileValues =
    [
        ("null", w => w.WriteNull()),
        ("undefined", w => w.WriteSimpleValue(CborSimpleValue.Undefined)),
        ("true", w => w.WriteBoolean(true)),
        ("0", w => w.WriteUInt64(0)),
        ("-1", w => w.WriteInt64(-1)),
        ("uint64 max", w => w.WriteUInt64(ulong.MaxValue)),
        ("-2^64", w => w.WriteCborNegativeIntegerRepresentation(ulong.MaxValue)),
        ("1.5", w => w.WriteDouble(1.5)),
        ("NaN", w => w.WriteHalf(Half.NaN)),
        ("empty text", w => w.WriteTextString("")),
        ("text SHA384", w => w.WriteTextString("SHA384")),
        ("text of 2000", w => w.WriteTextString(new string('a', 2000))),
        ("empty bytes", w => w.WriteByteString([])),
        ("one byte", w => w.WriteByteString([0x30])),
        ("bytes of 2000", w => w.WriteByteString(new byte[2000])),
        ("empty array", w => { w.WriteStartArray(0); w.WriteEndArray(); }),
        ("array [1, null]", w => { w.WriteStartArray(2); w.WriteInt32(1); w.WriteNull(); w.WriteEndArray(); }),
        ("empty map", w => { w.WriteStartMap(0); w.WriteEndMap(); }),
        ("tag 1(0)", w => { w.WriteTag(CborTag.UnixTimeSeconds); w.WriteInt32(0); }),
        ("tag 24(bytes)", w => { w.WriteTag((CborTag)24); w.WriteByteString([0xA0]); }),
        ("simple 99", w => w.WriteSimpleValue((CborSimpleValue)99)),
        ("indefinite bytes", w => { w.WriteStartIndefiniteLengthByteString(); w.WriteByteString([1, 2]); w.WriteByteString([3]); w.WriteEndIndefiniteLengthByteString(); }),
        ("indefinite text", w => { w.WriteStartIndefiniteLengthTextString(); w.WriteTextString("SHA"); w.WriteTextString("384"); w.WriteEndIndefiniteLengthTextString(); }),
    ];

    [Fact]
    public void Every_payload_field_with_every_hostile_value_ends_in_a_verifier_failure_code_or_is_accepted_as_valid()
    {
        var inputs = new List<Mutant>();
        var fields = ValidFields();
        foreach (var (name, _) in fields)
        {
            foreach (var (valueName, write) in HostileValues)
            {
                inputs.Add(Signed($"{name} = {valueName}", fields.Select(f => f.Name == name ? (f.Name, write) : f)));
            }

            inputs.Add(Signed($"{name} removed", fields.Where(f => f.Name != name)));
            inputs.Add(Signed($"{name} twice", fields.Concat(fields.Where(f => f.Name == name))));
        }

        foreach (var (valueName, write) in HostileValues)
        {
            inputs.Add(Signed($"unknown field = {valueName}", fields.Append(("x-unknown", write))));
            inputs.Add(Signed($"pcr index = {valueName}", fields.Select(f => f.Name == "pcrs" ? (f.Name, Pcrs((valueName, write, w => w.WriteByteString(new byte[48])))) : f)));
            inputs.Add(Signed($"pcr 0 value = {valueName}", fields.Select(f => f.Name == "pcrs" ? (f.Name, Pcrs(("0", w => w.WriteInt32(0), write))) : f)));
            inputs.Add(Signed($"cabundle item = {valueName}", fields.Select(f => f.Name == "cabundle" ? (f.Name, Array(write)) : f)));
        }

        foreach (var (label, der) in CertificateMutants())
        {
            inputs.Add(Signed($"certificate = {label}", fields.Select(f => f.Name == "certificate" ? (f.Name, Bytes(der)) : f)));
            inputs.Add(Signed($"cabundle = [{label}]", fields.Select(f => f.Name == "cabundle" ? (f.Name, Array(Bytes(der))) : f)));
            inputs.Add(Signed($"cabundle = [root, {label}]", fields.Select(f => f.Name == "cabundle" ? (f.Name, Array(Bytes(_identity.Root.RawData), Bytes(der))) : f)));
        }

        inputs.Add(Signed("33 pcrs", fields.Select(f => f.Name == "pcrs" ? (f.Name, Pcrs([.. Enumerable.Range(0, 33).Select(i => ($"{i}", (Action<CborWriter>)(w => w.WriteInt32(i)), (Action<CborWriter>)(w => w.WriteByteString(new byte[48]))))])) : f)));
        inputs.Add(Signed("pcr 1 of 32 bytes", fields.Select(f => f.Name == "pcrs" ? (f.Name, Pcrs(("1", w => w.WriteInt32(1), w => w.WriteByteString(new byte[32])))) : f)));
        inputs.Add(Signed("timestamp 6 minutes old", fields.Select(f => f.Name == "timestamp" ? (f.Name, w => w.WriteUInt64((ulong)Now.AddMinutes(-6).ToUnixTimeMilliseconds())) : f)));
        inputs.Add(Signed("timestamp beyond year 9999", fields.Select(f => f.Name == "timestamp" ? (f.Name, w => w.WriteUInt64(253402300800000)) : f)));
        inputs.Add(Signed("map of indefinite length", fields, indefiniteMap: true));
        inputs.Add(Signed("field names as integers", fields.Select((f, i) => ($"#{i}", f.Write)), integerKeys: true));

        var tally = Fuzz("cose/cbor: hostile values in every payload field", inputs);

        Assert.True(tally.Accepted > 0, "the unknown-field and optional-null mutants are valid documents and must still be accepted");
        Assert.True(tally.Refusals.Count >= 12, $"the mutants must reach most checks, reached {string.Join(", ", tally.Refusals.Keys)}");
        Assert.Equal(UserData, _verifier.Verify(_identity.Attest(UserData), UserData).UserData);
    }

    [Fact]
    public void COSE_envelopes_of_every_wrong_shape_end_in_a_verifier_failure_code()
    {
        var valid = _identity.Attest(UserData);
        var (protectedHeader, payload, signature) = Sections(valid);
        var inputs = new List<Mutant>();
        foreach (var (valueName, write) in HostileValues)
        {
            inputs.Add(Envelope($"protected = {valueName}", write, EmptyMap, Bytes(payload), Bytes(signature)));
            inputs.Add(Envelope($"unprotected = {valueName}", Bytes(protectedHeader), write, Bytes(payload), Bytes(signature)));
            inputs.Add(Envelope($"payload = {valueName}", Bytes(protectedHeader), EmptyMap, write, Bytes(signature)));
            inputs.Add(Envelope($"signature = {valueName}", Bytes(protectedHeader), EmptyMap, Bytes(payload), write));
            inputs.Add(Envelope($"protected algorithm = {valueName}", Bytes(Map((w => w.WriteInt32(1), write))), EmptyMap, Bytes(payload), Bytes(signature)));
            inputs.Add(Envelope($"protected label = {valueName}", Bytes(Map((write, w => w.WriteInt32(-35)))), EmptyMap, Bytes(payload), Bytes(signature)));
            inputs.Add(Wrapped($"tagged then {valueName}", w => { w.WriteTag((CborTag)18); write(w); }));
            inputs.Add(Wrapped($"fifth item {valueName}", w =>
            {
                w.WriteStartArray(5);
                foreach (var section in (byte[][])[protectedHeader, [0xA0], payload, signature])
                {
                    if (section is [0xA0]) { w.WriteStartMap(0); w.WriteEndMap(); } else { w.WriteByteString(section); }
                }

                write(w);
                w.WriteEndArray();
            }));
        }

        foreach (var tag in (ulong[])[0, 17, 18, 61, 98, ulong.MaxValue])
        {
            inputs.Add(Wrapped($"tag {tag}", w => { w.WriteTag((CborTag)tag); w.WriteEncodedValue(valid); }));
        }

        inputs.Add(Wrapped("indefinite-length array", w =>
        {
            w.WriteStartArray(null);
            w.WriteByteString(protectedHeader);
            w.WriteStartMap(0);
            w.WriteEndMap();
            w.WriteByteString(payload);
            w.WriteByteString(signature);
            w.WriteEndArray();
        }));
        inputs.Add(new Mutant("two documents back to back", [.. valid, .. valid]));
        inputs.Add(Envelope("signature of 95 bytes", Bytes(protectedHeader), EmptyMap, Bytes(payload), Bytes(signature[..95])));
        inputs.Add(Envelope("algorithm ES384 as text", Bytes(Map((w => w.WriteInt32(1), w => w.WriteTextString("ES384")))), EmptyMap, Bytes(payload), Bytes(signature)));
        inputs.Add(new Mutant("algorithm ES256, signed", _identity.Sign(_identity.Contents(UserData).Encode(), algorithm: -7)));

        var tally = Fuzz("cose/cbor: envelopes of every wrong shape", inputs);

        Assert.Equal(2, tally.Accepted); // the valid document tagged 18, and with its (unsigned) unprotected map rewritten as an empty map
        Assert.Equal(UserData, _verifier.Verify(valid, UserData).UserData);
    }

    [Fact]
    public void Seeded_random_CBOR_trees_in_random_fields_end_in_a_verifier_failure_code()
    {
        var random = new Random(1803);
        var fields = ValidFields();
        var inputs = new List<Mutant>();
        for (var i = 0; i < 1500; i++)
        {
            var count = random.Next(1, 4);
            var chosen = Enumerable.Range(0, count).Select(_ => fields[random.Next(fields.Length)].Name).ToHashSet(StringComparer.Ordinal);
            var trees = chosen.ToDictionary(name => name, _ => RandomTree(random, depth: 3), StringComparer.Ordinal);
            inputs.Add(Signed($"random trees {i} (seed 1803) in {string.Join(", ", chosen)}", fields.Select(f => trees.TryGetValue(f.Name, out var tree) ? (f.Name, tree) : f)));
        }

        for (var i = 0; i < 500; i++)
        {
            var tree = RandomTree(random, depth: 4);
            var writer = new CborWriter(CborConformanceMode.Lax, allowMultipleRootLevelValues: false);
            tree(writer);
            inputs.Add(new Mutant($"random whole document {i} (seed 1803)", writer.Encode()));
        }

        var tally = Fuzz("cose/cbor: seeded random CBOR trees", inputs);

        Assert.Equal(UserData, _verifier.Verify(_identity.Attest(UserData), UserData).UserData);
        Assert.True(tally.Refusals.Count >= 5);
    }

    private static readonly Action<CborWriter> EmptyMap = w => { w.WriteStartMap(0); w.WriteEndMap(); };

    private FuzzTally Fuzz(string parser, IEnumerable<Mutant> inputs) =>
        FuzzTally.Run(parser, inputs, input => FuzzResult.Of<NitroAttestationException>(() => _verifier.Verify(input.Bytes, UserData), ex => ex.Failure.ToString()), parallel: true)
            .Report(_output)
            .AssertClean();

    /// <summary>The fields of a valid payload in the NSM's order, each with its writer.</summary>
    private (string Name, Action<CborWriter> Write)[] ValidFields()
    {
        var contents = _identity.Contents(UserData, publicKey: new byte[65], nonce: [1, 2, 3]);
        return
        [
            ("module_id", w => w.WriteTextString(contents.ModuleId!)),
            ("digest", w => w.WriteTextString("SHA384")),
            ("timestamp", w => w.WriteUInt64(contents.TimestampMilliseconds!.Value)),
            ("pcrs", Pcrs([.. contents.Pcrs!.Select(p => ($"{p.Key}", (Action<CborWriter>)(w => w.WriteInt64(p.Key)), (Action<CborWriter>)(w => w.WriteByteString(p.Value))))])),
            ("certificate", Bytes(contents.Certificate!)),
            ("cabundle", Array([.. contents.CaBundle!.Select(Bytes)])),
            ("public_key", Bytes(contents.PublicKey!)),
            ("user_data", Bytes(contents.UserData!)),
            ("nonce", Bytes(contents.Nonce!)),
        ];
    }

    private Mutant Signed(string label, IEnumerable<(string Name, Action<CborWriter> Write)> fields, bool indefiniteMap = false, bool integerKeys = false)
    {
        var all = fields.ToArray();
        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteStartMap(indefiniteMap ? null : all.Length);
        for (var i = 0; i < all.Length; i++)
        {
            if (integerKeys)
            {
                writer.WriteInt32(i);
            }
            else
            {
                writer.WriteTextString(all[i].Name);
            }

            all[i].Write(writer);
        }

        writer.WriteEndMap();
        return new Mutant(label, _identity.Sign(writer.Encode()));
    }

    /// <summary>Certificates that are not what they should be: truncated, garbage, the root as leaf, a P-256 certificate, RSA.</summary>
    private IEnumerable<(string Label, byte[] Der)> CertificateMutants()
    {
        var leaf = _identity.Leaf.RawData;
        yield return ("leaf truncated by half", leaf[..(leaf.Length / 2)]);
        yield return ("leaf without its last byte", leaf[..^1]);
        yield return ("garbage DER", [0x30, 0x82, 0x01, 0x00, 0x02, 0x01, 0x00]);
        yield return ("ASN.1 sequence of 1000 zero bytes", [0x30, 0x82, 0x03, 0xE8, .. new byte[1000]]);
        yield return ("the root", _identity.Root.RawData);
        using var p256 = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        yield return ("a self-signed P-256 certificate", new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=p256", p256, System.Security.Cryptography.HashAlgorithmName.SHA256)
            .CreateSelfSigned(Now.AddDays(-1), Now.AddDays(1)).RawData);
        using var rsa = System.Security.Cryptography.RSA.Create(2048);
        yield return ("a self-signed RSA certificate", new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=rsa", rsa, System.Security.Cryptography.HashAlgorithmName.SHA384, System.Security.Cryptography.RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(Now.AddDays(-1), Now.AddDays(1)).RawData);
        for (var i = 0; i < 40; i++)
        {
            var corrupted = (byte[])leaf.Clone();
            corrupted[(i * 37) % corrupted.Length] ^= (byte)(1 << (i % 8));
            yield return ($"leaf with bit {(i * 37) % corrupted.Length * 8 + i % 8} flipped", corrupted);
        }
    }

    private static Action<CborWriter> Bytes(byte[] value) => w => w.WriteByteString(value);

    private static Action<CborWriter> Array(params Action<CborWriter>[] items) => w =>
    {
        w.WriteStartArray(items.Length);
        foreach (var item in items)
        {
            item(w);
        }

        w.WriteEndArray();
    };

    private static Action<CborWriter> Pcrs(params (string Name, Action<CborWriter> Index, Action<CborWriter> Value)[] entries) => w =>
    {
        w.WriteStartMap(entries.Length);
        foreach (var (_, index, value) in entries)
        {
            index(w);
            value(w);
        }

        w.WriteEndMap();
    };

    private static byte[] Map(params (Action<CborWriter> Key, Action<CborWriter> Value)[] entries)
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        writer.WriteStartMap(entries.Length);
        foreach (var (key, value) in entries)
        {
            key(writer);
            value(writer);
        }

        writer.WriteEndMap();
        return writer.Encode();
    }

    private static Mutant Envelope(string label, params Action<CborWriter>[] sections) => Wrapped(label, Array(sections));

    private static Mutant Wrapped(string label, Action<CborWriter> write)
    {
        var writer = new CborWriter(CborConformanceMode.Lax);
        write(writer);
        return new Mutant(label, writer.Encode());
    }

    private static (byte[] Protected, byte[] Payload, byte[] Signature) Sections(byte[] document)
    {
        var reader = new CborReader(document);
        reader.ReadStartArray();
        var protectedHeader = reader.ReadByteString();
        reader.SkipValue();
        return (protectedHeader, reader.ReadByteString(), reader.ReadByteString());
    }

    /// <summary>A random CBOR value: scalars of every major type, and at depth &gt; 0 arrays and maps of random values.</summary>
    private static Action<CborWriter> RandomTree(Random random, int depth)
    {
        var kind = random.Next(depth > 0 ? 8 : 6);
        switch (kind)
        {
            case 0:
                var unsigned = random.Next(4) == 0 ? ulong.MaxValue - (ulong)random.Next(3) : (ulong)random.Next(100);
                return w => w.WriteUInt64(unsigned);
            case 1:
                var negative = -1 - random.Next(1000);
                return w => w.WriteInt64(negative);
            case 2:
                var bytes = new byte[random.Next(4) == 0 ? random.Next(900, 1100) : random.Next(0, 64)];
                random.NextBytes(bytes);
                return w => w.WriteByteString(bytes);
            case 3:
                var text = new string((char)random.Next('a', 'z' + 1), random.Next(0, 40));
                return w => w.WriteTextString(text);
            case 4:
                return HostileValues[random.Next(HostileValues.Length)].Write;
            case 5:
                var tag = (CborTag)random.Next(0, 64);
                var inner = RandomTree(random, 0);
                return w => { w.WriteTag(tag); inner(w); };
            case 6:
                var items = Enumerable.Range(0, random.Next(0, 5)).Select(_ => RandomTree(random, depth - 1)).ToArray();
                return Array(items);
            default:
                var entries = Enumerable.Range(0, random.Next(0, 4)).Select(_ => (RandomTree(random, 0), RandomTree(random, depth - 1))).ToArray();
                return w =>
                {
                    w.WriteStartMap(entries.Length);
                    foreach (var (key, value) in entries)
                    {
                        key(w);
                        value(w);
                    }

                    w.WriteEndMap();
                };
        }
    }
}
