using System.Security.Cryptography;
using System.Text;
using CreAspire.Attestation.Nitro;
using CreAspire.Fuzzing;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace CreAspire.Attestation.Tests;

/// <summary>
/// Every malformed attestation document must end in one of the verifier's own failure codes (the relay turns those into
/// "attestation rejected"; a raw CryptographicException became -32603 "internal error"), and the same verifier keeps
/// accepting the valid document afterwards. Inputs are fixed documents and seeded edits, so every run tries the same ones.
/// </summary>
public sealed class NitroFuzzTests(ITestOutputHelper output)
{
    private static readonly byte[] AwsUserData = new byte[32];

    [Fact]
    public void Every_single_bit_flip_of_a_fake_NSM_document_ends_in_a_verifier_failure_code()
    {
        var verifier = FakeSampleVerifier();
        var valid = FakeNitroSample.Document;

        var tally = Fuzz("nitro: every bit flip of a fake NSM document", verifier, Mutations.BitFlips(valid), FakeNitroSample.UserData);

        Assert.Equal(valid.Length * 8, tally.Inputs);
        Assert.Equal(0, tally.Accepted);
        Assert.Equal(FakeNitroIdentityModuleId, verifier.Verify(valid, FakeNitroSample.UserData).ModuleId);
    }

    [Fact]
    public void Every_truncation_of_a_fake_NSM_document_and_of_the_AWS_document_ends_in_a_verifier_failure_code()
    {
        var fake = FakeSampleVerifier();
        var aws = AwsVerifier();

        var fakeTally = Fuzz("nitro: every truncation of a fake NSM document", fake, Mutations.Truncations(FakeNitroSample.Document), FakeNitroSample.UserData);
        var awsTally = Fuzz("nitro: every truncation of the AWS document", aws, Mutations.Truncations(AwsDocument), AwsUserData);

        Assert.Equal(0, fakeTally.Accepted + awsTally.Accepted);
        Assert.Equal(FakeNitroIdentityModuleId, fake.Verify(FakeNitroSample.Document, FakeNitroSample.UserData).ModuleId);
        Assert.Equal(AwsModuleId, aws.Verify(AwsDocument, AwsUserData).ModuleId);
    }

    /// <summary>The AWS document is 4,447 bytes (35,576 flips at ~1 ms each): a seeded sample of 1 in 24 flips plus random edits.</summary>
    [Fact]
    public void Seeded_bit_flips_and_byte_edits_of_the_AWS_document_end_in_a_verifier_failure_code()
    {
        var verifier = AwsVerifier();
        var sample = new Random(18);
        var flips = Mutations.BitFlips(AwsDocument).Where(_ => sample.Next(24) == 0);

        var tally = Fuzz("nitro: sampled bit flips and random edits of the AWS document", verifier, flips.Concat(Mutations.Random(AwsDocument, 800, seed: 1801)), AwsUserData);

        Assert.Equal(0, tally.Accepted);
        Assert.Equal(AwsModuleId, verifier.Verify(AwsDocument, AwsUserData).ModuleId);
    }

    [Fact]
    public void Random_bytes_and_base64_text_end_in_a_verifier_failure_code()
    {
        var verifier = FakeSampleVerifier();
        var noise = Mutations.Noise(3000, 512, seed: 1802).ToArray();

        var binary = Fuzz("nitro: random bytes", verifier, noise, FakeNitroSample.UserData);
        var base64 = FuzzTally.Run("nitro: random base64 text", noise, input =>
            FuzzResult.Of<NitroAttestationException>(() => verifier.VerifyBase64(Encoding.ASCII.GetString(input.Bytes), FakeNitroSample.UserData), ex => ex.Failure.ToString()));
        base64.Report(output).AssertClean();

        Assert.Equal(0, binary.Accepted + base64.Accepted);
        Assert.Equal(FakeNitroIdentityModuleId, verifier.VerifyBase64(FakeNitroSample.DocumentBase64, FakeNitroSample.UserData).ModuleId);
    }

    internal static NitroAttestationVerifier FakeSampleVerifier() =>
        NitroAttestationVerifier.FromPem(FakeNitroSample.CaRootsPem, TrustedPcrSet.ToJson([FakePcrs]), new FakeTimeProvider(FakeNitroSample.Time));

    internal static TrustedPcrSet FakePcrs =>
        new(SHA384.HashData("fake-pcr-0"u8), SHA384.HashData("fake-pcr-1"u8), SHA384.HashData("fake-pcr-2"u8));

    internal const string FakeNitroIdentityModuleId = Testing.FakeNitroIdentity.DefaultModuleId;

    private const string AwsModuleId = "i-0936512d5ae6ee91a-enc01823bcde8eb8a8a";

    private static byte[] AwsDocument => Convert.FromBase64String(AwsNitroDocumentTests.Document);

    private static NitroAttestationVerifier AwsVerifier() =>
        AwsNitroDocumentTests.AwsVerifier(new FakeTimeProvider(AwsNitroDocumentTests.DocumentTime.AddSeconds(30)));

    private FuzzTally Fuzz(string parser, NitroAttestationVerifier verifier, IEnumerable<Mutant> inputs, byte[] userData) =>
        FuzzTally.Run(parser, inputs, input => FuzzResult.Of<NitroAttestationException>(() => verifier.Verify(input.Bytes, userData), ex => ex.Failure.ToString()), parallel: true)
            .Report(output)
            .AssertClean();
}
