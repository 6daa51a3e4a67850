using System.Formats.Cbor;
using System.Security.Cryptography;
using System.Text;
using CreAspire.Attestation.Nitro;
using CreAspire.Attestation.Testing;
using Microsoft.Extensions.Time.Testing;

namespace CreAspire.Attestation.Tests;

/// <summary>A fresh fake document passes; each test then breaks exactly one rule and expects that rule's code.</summary>
public sealed class NitroVerifierTests : IDisposable
{
    private static readonly byte[] UserData = DomainHash.Compute("ConfidentialSecretsGet", "{\"workflow_id\":\"00ab\"}"u8);

    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));
    private readonly FakeNitroIdentity _identity;
    private readonly NitroAttestationVerifier _verifier;

    public NitroVerifierTests()
    {
        _identity = FakeNitroIdentity.Create(time: _clock);
        _verifier = NitroAttestationVerifier.FromPem(_identity.CaRootsPem, _identity.TrustedPcrsJson, _clock);
    }

    public void Dispose() => _identity.Dispose();

    [Fact]
    public void Verify_FreshFakeDocument_Accepted()
    {
        var publicKey = RandomNumberGenerator.GetBytes(65);
        var document = _verifier.Verify(_identity.Attest(UserData, publicKey, nonce: [1, 2, 3]), UserData);

        Assert.Equal(_identity.ModuleId, document.ModuleId);
        Assert.Equal("SHA384", document.Digest);
        Assert.Equal(_clock.GetUtcNow(), document.Timestamp);
        Assert.Equal(SHA384.HashData("fake-pcr-0"u8), document.Pcrs[0]);
        Assert.Equal(publicKey, document.PublicKey);
        Assert.Equal(new byte[] { 1, 2, 3 }, document.Nonce);
    }

    [Fact]
    public void Verify_TaggedCoseSign1_Accepted()
    {
        byte[] tagged = [0xD2, .. _identity.Attest(UserData)];

        Assert.Equal(UserData, _verifier.Verify(tagged, UserData).UserData);
    }

    [Fact]
    public void Verify_DocumentFromSavedAndReloadedIdentity_AcceptedWithSameTrustConfiguration()
    {
        var directory = Directory.CreateTempSubdirectory("fake-nsm-").FullName;
        try
        {
            _identity.SaveTo(directory);
            using var reloaded = FakeNitroIdentity.Load(directory, _clock);

            Assert.Equal(_identity.CaRootsPem, reloaded.CaRootsPem);
            Assert.Equal(_identity.TrustedPcrsJson, reloaded.TrustedPcrsJson);
            Assert.NotEqual(_identity.Leaf.RawData, reloaded.Leaf.RawData);
            Assert.Equal(UserData, _verifier.Verify(reloaded.Attest(UserData), UserData).UserData);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Verify_NotCbor_Rejected() =>
        AssertFails(NitroFailure.NotCbor, "hello, not cbor"u8.ToArray());

    [Fact]
    public void Verify_ThreeItemArray_RejectedAsBadCoseStructure()
    {
        var writer = new CborWriter();
        writer.WriteStartArray(3);
        writer.WriteByteString([0xA1, 0x01, 0x38, 0x22]);
        writer.WriteStartMap(0);
        writer.WriteEndMap();
        writer.WriteByteString([1]);
        writer.WriteEndArray();

        AssertFails(NitroFailure.BadCoseStructure, writer.Encode());
    }

    [Fact]
    public void Verify_Es256Algorithm_Rejected() =>
        AssertFails(NitroFailure.UnsupportedAlgorithm, _identity.Sign(_identity.Contents(UserData).Encode(), algorithm: -7));

    [Fact]
    public void Verify_MissingModuleId_Rejected() =>
        AssertFails(NitroFailure.MissingMandatoryField, _identity.Sign(_identity.Contents(UserData) with { ModuleId = null }));

    [Fact]
    public void Verify_DigestNotSha384_Rejected() =>
        AssertFails(NitroFailure.UnsupportedDigest, _identity.Sign(_identity.Contents(UserData) with { Digest = "SHA256" }));

    [Fact]
    public void Verify_PcrIndexOutOfRange_Rejected()
    {
        var contents = _identity.Contents(UserData);
        var pcrs = new Dictionary<long, byte[]>(contents.Pcrs!) { [40] = new byte[48] };

        AssertFails(NitroFailure.BadPcrIndex, _identity.Sign(contents with { Pcrs = pcrs }));
    }

    [Fact]
    public void Verify_PcrOfTwentyBytes_Rejected()
    {
        var contents = _identity.Contents(UserData);
        var pcrs = new Dictionary<long, byte[]>(contents.Pcrs!) { [5] = new byte[20] };

        AssertFails(NitroFailure.BadPcrLength, _identity.Sign(contents with { Pcrs = pcrs }));
    }

    [Fact]
    public void Verify_PcrsMatchingNoTrustedSet_Rejected()
    {
        TrustedPcrSet[] otherBuilds =
        [
            new(SHA384.HashData("a0"u8), SHA384.HashData("a1"u8), SHA384.HashData("a2"u8)),
            new(_identity.Pcrs[0], _identity.Pcrs[1], SHA384.HashData("b2"u8)),
        ];
        var verifier = new NitroAttestationVerifier(new NitroVerifierOptions { CaRoots = [_identity.Root], TrustedPcrs = otherBuilds, TimeProvider = _clock });

        AssertFails(NitroFailure.PcrMismatch, _identity.Attest(UserData), verifier);
    }

    [Fact]
    public void Verify_SecondTrustedSetMatching_Accepted()
    {
        TrustedPcrSet[] sets = [new(SHA384.HashData("a0"u8), SHA384.HashData("a1"u8), SHA384.HashData("a2"u8)), _identity.TrustedPcrs];
        var verifier = new NitroAttestationVerifier(new NitroVerifierOptions { CaRoots = [_identity.Root], TrustedPcrs = sets, TimeProvider = _clock });

        Assert.Equal(_identity.ModuleId, verifier.Verify(_identity.Attest(UserData), UserData).ModuleId);
    }

    [Fact]
    public void Verify_ChainToUntrustedRoot_Rejected()
    {
        using var stranger = FakeNitroIdentity.Create("i-stranger-enc", _clock);

        AssertFails(NitroFailure.UntrustedCertificateChain, stranger.Attest(UserData));
    }

    [Fact]
    public void Verify_CaBundleRootSwapped_Rejected()
    {
        using var impostor = FakeNitroIdentity.Create("i-impostor-enc", _clock);
        var contents = _identity.Contents(UserData) with { CaBundle = [impostor.Root.RawData] };

        AssertFails(NitroFailure.CaBundleRootNotTrusted, _identity.Sign(contents));
    }

    [Fact]
    public void Verify_TamperedPayload_Rejected()
    {
        var document = _identity.Attest(UserData);
        var moduleId = Encoding.ASCII.GetBytes(_identity.ModuleId);
        var at = document.AsSpan().IndexOf(moduleId);
        document[at] = (byte)'j';

        AssertFails(NitroFailure.BadSignature, document);
    }

    [Fact]
    public void Verify_TamperedSignature_Rejected()
    {
        var document = _identity.Attest(UserData);
        document[^1] ^= 0x01;

        AssertFails(NitroFailure.BadSignature, document);
    }

    [Fact]
    public void Verify_ExpiredLeafCertificate_Rejected()
    {
        var now = _clock.GetUtcNow();
        using var expired = _identity.WithLeafValidity(now.AddMinutes(-4), now.AddMinutes(-1));

        AssertFails(NitroFailure.CertificateNotTimeValid, expired.Attest(UserData));
    }

    [Fact]
    public void Verify_TimestampSixMinutesOld_Rejected() =>
        AssertFails(NitroFailure.StaleTimestamp, _identity.Attest(UserData, timestamp: _clock.GetUtcNow().AddMinutes(-6)));

    [Fact]
    public void Verify_TimestampSixMinutesAhead_Rejected() =>
        AssertFails(NitroFailure.StaleTimestamp, _identity.Attest(UserData, timestamp: _clock.GetUtcNow().AddMinutes(6)));

    [Fact]
    public void Verify_UserDataOfOtherParams_Rejected()
    {
        var other = DomainHash.Compute("ConfidentialSecretsGet", "{\"workflow_id\":\"00ac\"}"u8);

        AssertFails(NitroFailure.UserDataMismatch, _identity.Attest(other));
    }

    private void AssertFails(NitroFailure expected, byte[] document, NitroAttestationVerifier? verifier = null)
    {
        var ex = Assert.Throws<NitroAttestationException>(() => (verifier ?? _verifier).Verify(document, UserData));
        Assert.Equal(expected, ex.Failure);
        Assert.False(string.IsNullOrWhiteSpace(ex.Message));
    }
}

public sealed class TrustedPcrSetTests
{
    [Fact]
    public void ParseJson_reads_an_array_and_a_single_object()
    {
        var hex = new string('a', 96);
        var array = TrustedPcrSet.ParseJson($"[{{\"pcr0\":\"{hex}\",\"pcr1\":\"{hex}\",\"pcr2\":\"{hex}\"}},{{\"pcr0\":\"00\",\"pcr1\":\"01\",\"pcr2\":\"02\"}}]");
        var single = TrustedPcrSet.ParseJson($"{{\"pcr0\":\"0x{hex}\",\"pcr1\":\"{hex}\",\"pcr2\":\"{hex}\"}}");

        Assert.Equal(2, array.Count);
        Assert.Equal(array[0].Pcr0, Assert.Single(single).Pcr0);
    }

    [Theory]
    [InlineData("[]", "empty")]
    [InlineData("[{\"pcr0\":\"00\",\"pcr1\":\"01\"}]", "no pcr2")]
    [InlineData("[{\"pcr0\":\"zz\",\"pcr1\":\"01\",\"pcr2\":\"02\"}]", "not hex")]
    [InlineData("{not json", "not valid JSON")]
    public void ParseJson_rejects_malformed_configuration_saying_what_is_wrong(string json, string expected)
    {
        var ex = Assert.Throws<FormatException>(() => TrustedPcrSet.ParseJson(json));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Fake_identity_trusted_pcrs_json_round_trips()
    {
        using var identity = FakeNitroIdentity.Create();

        var set = Assert.Single(TrustedPcrSet.ParseJson(identity.TrustedPcrsJson));

        Assert.Equal(SHA384.HashData("fake-pcr-2"u8), set.Pcr2);
        Assert.Matches("^\\[\\{\"pcr0\":\"[0-9a-f]{96}\",\"pcr1\":\"[0-9a-f]{96}\",\"pcr2\":\"[0-9a-f]{96}\"\\}\\]$", identity.TrustedPcrsJson);
    }
}
