using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using CreAspire.Attestation.Nitro;
using Microsoft.Extensions.Time.Testing;

namespace CreAspire.Attestation.Tests;

/// <summary>
/// A genuine attestation document produced by an AWS Nitro enclave on 2022-07-26 (us-west-2, debug mode, so PCR0..2
/// are zero), published as test data in Brave's nitro_utils unit tests. The verifier written for the AWS format must
/// accept it given the AWS Nitro root and a clock at the document's time.
/// </summary>
public sealed class AwsNitroDocumentTests
{
    /// <summary>SHA-256 fingerprint of the AWS Nitro Enclaves root certificate (G1), as AWS publishes it.</summary>
    private const string AwsNitroRootFingerprint = "641A0321A3E244EFE456463195D606317ED7CDCC3C1756E09893F3C68F79BB5B";

    internal const string Document =
        "hEShATgioFkQ86lpbW9kdWxlX2lkeCdpLTA5MzY1MTJkNWFlNmVlOTFhLWVuYzAxODIzYmNkZThlYjhhOGFmZGlnZXN0ZlNIQTM4NGl0aW1lc3RhbXAbAAABgjvOTrZkcGNyc7AAWDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABWDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAACWDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAADWDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAEWDBaPlS9Cl9QsbXsZB4GOh8eflqtwTn0n9h4SvypCoN2fsE91ws/Lj9DuOIzVbqqkFMFWDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAGWDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAHWDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIWDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAJWDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAKWDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAALWDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAMWDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAANWDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAOWDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAPWDAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABrY2VydGlmaWNhdGVZAn4wggJ6MIICAaADAgECAhABgjvN6OuKigAAAABi4DTQMAoGCCqGSM49BAMDMIGOMQswCQYDVQQGEwJVUzETMBEGA1UECAwKV2FzaGluZ3RvbjEQMA4GA1UEBwwHU2VhdHRsZTEPMA0GA1UECgwGQW1hem9uMQwwCgYDVQQLDANBV1MxOTA3BgNVBAMMMGktMDkzNjUxMmQ1YWU2ZWU5MWEudXMtd2VzdC0yLmF3cy5uaXRyby1lbmNsYXZlczAeFw0yMjA3MjYxODM5MDlaFw0yMjA3MjYyMTM5MTJaMIGTMQswCQYDVQQGEwJVUzETMBEGA1UECAwKV2FzaGluZ3RvbjEQMA4GA1UEBwwHU2VhdHRsZTEPMA0GA1UECgwGQW1hem9uMQwwCgYDVQQLDANBV1MxPjA8BgNVBAMMNWktMDkzNjUxMmQ1YWU2ZWU5MWEtZW5jMDE4MjNiY2RlOGViOGE4YS51cy13ZXN0LTIuYXdzMHYwEAYHKoZIzj0CAQYFK4EEACIDYgAElCmQ1gW7KdxMCOgWtfANdRj3VECjJjp4ZdSjyI+tOsY3xSuEGjLyeSTZOuYNL1UqHx0H4GrD2S9d3XCGdWbzW4nA06vk6rRI/J8BNOdDutL/xUmxiBOWMWGSyQLitM5Sox0wGzAMBgNVHRMBAf8EAjAAMAsGA1UdDwQEAwIGwDAKBggqhkjOPQQDAwNnADBkAjApHJGDhRBiz6c9ihMttcgY6C111Vz7CvxydeWIpEj306T/XVBVJB3EH7yGekP6r2sCMGodcksEfU8oOFSEFSBaecP7U0ybP1Z8swfkTAb4+sahtD6aIYAza7Mx2NgK9mizJ2hjYWJ1bmRsZYRZAhUwggIRMIIBlqADAgECAhEA+TF1aBuQr+EdRsy05Of4VjAKBggqhkjOPQQDAzBJMQswCQYDVQQGEwJVUzEPMA0GA1UECgwGQW1hem9uMQwwCgYDVQQLDANBV1MxGzAZBgNVBAMMEmF3cy5uaXRyby1lbmNsYXZlczAeFw0xOTEwMjgxMzI4MDVaFw00OTEwMjgxNDI4MDVaMEkxCzAJBgNVBAYTAlVTMQ8wDQYDVQQKDAZBbWF6b24xDDAKBgNVBAsMA0FXUzEbMBkGA1UEAwwSYXdzLm5pdHJvLWVuY2xhdmVzMHYwEAYHKoZIzj0CAQYFK4EEACIDYgAE/AJU66YIwfNocOKa2pC+RjgyknNuiUv/9nLZiURLUFHlNKSx9tvjwLxYGjK3sXYHDt4S1po/6iEbZudSz33R3QlfbxNw9BcIQ9ncEAEh5M9jASgJZkSHyXlihDBNxT/0o0IwQDAPBgNVHRMBAf8EBTADAQH/MB0GA1UdDgQWBBSQJbUN2QVH55bDlvpync+Zqd9LljAOBgNVHQ8BAf8EBAMCAYYwCgYIKoZIzj0EAwMDaQAwZgIxAKN/L5Ghyb1e57hifBaY0lUDjh8DQ/lbY6lijD05gJVFoR68vy47Vdiu7nG0w9at8wIxAKLzmxYFsnAopd1LoGm1AW5ltPvej+AGHWpTGX+c2vXZQ7xh/CvrA8tv7o0jAvPf9lkCwTCCAr0wggJEoAMCAQICECAdbYgjaUmdDWVObsq4SBEwCgYIKoZIzj0EAwMwSTELMAkGA1UEBhMCVVMxDzANBgNVBAoMBkFtYXpvbjEMMAoGA1UECwwDQVdTMRswGQYDVQQDDBJhd3Mubml0cm8tZW5jbGF2ZXMwHhcNMjIwNzI1MTg1MzAwWhcNMjIwODE0MTk1MzAwWjBkMQswCQYDVQQGEwJVUzEPMA0GA1UECgwGQW1hem9uMQwwCgYDVQQLDANBV1MxNjA0BgNVBAMMLWFjYjU3MTkyMzAxMWE4NTAudXMtd2VzdC0yLmF3cy5uaXRyby1lbmNsYXZlczB2MBAGByqGSM49AgEGBSuBBAAiA2IABJkgVZY7lF1WtvuWIasx6+09uTu5x1lT+vZocBLKSaXJvGGGO9p1ZMW6DrYuk5Yv6ErE/Lf3NRiS1JJBIcuoRK8kYi2CRVtZRKLk55oJdinDtjkVABnGBXLXXx1523ejZaOB1TCB0jASBgNVHRMBAf8ECDAGAQH/AgECMB8GA1UdIwQYMBaAFJAltQ3ZBUfnlsOW+nKdz5mp30uWMB0GA1UdDgQWBBSiIvnr04MZ5fElgXSJDyvp3UoV8jAOBgNVHQ8BAf8EBAMCAYYwbAYDVR0fBGUwYzBhoF+gXYZbaHR0cDovL2F3cy1uaXRyby1lbmNsYXZlcy1jcmwuczMuYW1hem9uYXdzLmNvbS9jcmwvYWI0OTYwY2MtN2Q2My00MmJkLTllOWYtNTkzMzhjYjY3Zjg0LmNybDAKBggqhkjOPQQDAwNnADBkAjA2fj8Q8ILYQnjSKLUW6vHLNwmAZ04Wyf/YG2CmbROA/+cxklLfhA09NCX76poJRVcCMCJZtiy6vhSmXMoiLJr8oN67XB1tbUdmljWK4KXrxcCcfPKImVDodSYRu5LRKEEsC1kDGTCCAxUwggKboAMCAQICEQDEVXvF+DtfOZvwDQc+fZc0MAoGCCqGSM49BAMDMGQxCzAJBgNVBAYTAlVTMQ8wDQYDVQQKDAZBbWF6b24xDDAKBgNVBAsMA0FXUzE2MDQGA1UEAwwtYWNiNTcxOTIzMDExYTg1MC51cy13ZXN0LTIuYXdzLm5pdHJvLWVuY2xhdmVzMB4XDTIyMDcyNjEzMzEwNloXDTIyMDgwMTA1MzEwNlowgYkxPDA6BgNVBAMMM2I2ODU2MGFkZTQ1OTc5MWYuem9uYWwudXMtd2VzdC0yLmF3cy5uaXRyby1lbmNsYXZlczEMMAoGA1UECwwDQVdTMQ8wDQYDVQQKDAZBbWF6b24xCzAJBgNVBAYTAlVTMQswCQYDVQQIDAJXQTEQMA4GA1UEBwwHU2VhdHRsZTB2MBAGByqGSM49AgEGBSuBBAAiA2IABHcVbFGP4+IlBAnGnLyTLhbHihHvQSbmOglBkyqOXSb3gCESfHZyZgpQGnt3qgqjzOMF/uQe30hEODWHP/JeFsKuJZqNCR68PX5Se5T/fmlio+bPNKrqa+wAZXRHBdF4SqOB6jCB5zASBgNVHRMBAf8ECDAGAQH/AgEBMB8GA1UdIwQYMBaAFKIi+evTgxnl8SWBdIkPK+ndShXyMB0GA1UdDgQWBBRuH/UNZ8Jikmbu8xrm11NzhTFlKTAOBgNVHQ8BAf8EBAMCAYYwgYAGA1UdHwR5MHcwdaBzoHGGb2h0dHA6Ly9jcmwtdXMtd2VzdC0yLWF3cy1uaXRyby1lbmNsYXZlcy5zMy51cy13ZXN0LTIuYW1hem9uYXdzLmNvbS9jcmwvZDQ3NzYyN2EtMmI3YS00ZTEzLTk1N2MtN2U5Y2E2ZGYzMDc2LmNybDAKBggqhkjOPQQDAwNoADBlAjBKkbDPVKfdHvJ7MlpxD20JhZjno8qziS5iAOnoDaEN0h5QnogaZorrWCL9Bbg+hLYCMQDvyInR1X5qQe13A5zmrnNhud+CabcHZd42jZ1vpyl0DvlLN8TUN+673NQlVTprwBlZAoMwggJ/MIICBaADAgECAhUA07T2LvAKjSTeOsUvVDHnc6gR12UwCgYIKoZIzj0EAwMwgYkxPDA6BgNVBAMMM2I2ODU2MGFkZTQ1OTc5MWYuem9uYWwudXMtd2VzdC0yLmF3cy5uaXRyby1lbmNsYXZlczEMMAoGA1UECwwDQVdTMQ8wDQYDVQQKDAZBbWF6b24xCzAJBgNVBAYTAlVTMQswCQYDVQQIDAJXQTEQMA4GA1UEBwwHU2VhdHRsZTAeFw0yMjA3MjYxODM3MzJaFw0yMjA3MjcxODM3MzJaMIGOMQswCQYDVQQGEwJVUzETMBEGA1UECAwKV2FzaGluZ3RvbjEQMA4GA1UEBwwHU2VhdHRsZTEPMA0GA1UECgwGQW1hem9uMQwwCgYDVQQLDANBV1MxOTA3BgNVBAMMMGktMDkzNjUxMmQ1YWU2ZWU5MWEudXMtd2VzdC0yLmF3cy5uaXRyby1lbmNsYXZlczB2MBAGByqGSM49AgEGBSuBBAAiA2IABHMRuy/ZAl/8qrD9v2r7l0xrhw+OpFfHv5xnCQa4QY5X/NrbcJlElVNh1EBPXbLARsb/THbTtStKdEkBzLYqn3XKX+EbknOEf4vV5+0d3NpPn8lijNYabyRCi3LvK28DU6MmMCQwEgYDVR0TAQH/BAgwBgEB/wIBADAOBgNVHQ8BAf8EBAMCAgQwCgYIKoZIzj0EAwMDaAAwZQIwe9cKPHDV3S6Yq2rOpq9V0c0PGyjZY8s7mOOIZaMVFEXcHRKgEWm4w6Z1FcmfJ8NKAjEApQEpYHF4Leybt/Febgfuc50L8AA3QpiIk05gI/s/+YPHswScbJ3lcoFxK9HKlc6AanB1YmxpY19rZXlAaXVzZXJfZGF0YVggAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAABlbm9uY2VUgxSTNGtEEy4v+3mIvONR9ZPuuN1YYE546/617Xwu9L3LiwqknDCNG2AtS3lCoMHK9OXGBXIW0UixELEwQQZ2RpI5UCHrzP8lyEimgUrSJYLyFYtjFPH4dFwp5Fi37nQRFPd4irpcUP66OLKLpegJns+Pub6RzA==";

    internal static readonly DateTimeOffset DocumentTime = DateTimeOffset.FromUnixTimeMilliseconds(1658860752566);

    [Fact]
    public void Verify_GenuineAwsDocument_AcceptedWithAwsRootAtDocumentTime()
    {
        var verifier = AwsVerifier(new FakeTimeProvider(DocumentTime.AddSeconds(30)));

        var document = verifier.VerifyBase64(Document, new byte[32]);

        Assert.Equal("i-0936512d5ae6ee91a-enc01823bcde8eb8a8a", document.ModuleId);
        Assert.Equal(DocumentTime, document.Timestamp);
        Assert.Equal(16, document.Pcrs.Count);
        Assert.Equal(20, document.Nonce!.Length);
    }

    [Fact]
    public void Verify_GenuineAwsDocument_RejectedAsStaleOneHourLater()
    {
        var verifier = AwsVerifier(new FakeTimeProvider(DocumentTime.AddHours(1)));

        var ex = Assert.Throws<NitroAttestationException>(() => verifier.VerifyBase64(Document, new byte[32]));
        Assert.Equal(NitroFailure.StaleTimestamp, ex.Failure);
    }

    [Fact]
    public void Verify_GenuineAwsDocument_RejectedWithFakeRoot()
    {
        using var fake = Testing.FakeNitroIdentity.Create();
        var verifier = new NitroAttestationVerifier(new NitroVerifierOptions
        {
            CaRoots = [fake.Root],
            TrustedPcrs = [new TrustedPcrSet(new byte[48], new byte[48], new byte[48])],
            TimeProvider = new FakeTimeProvider(DocumentTime),
        });

        var ex = Assert.Throws<NitroAttestationException>(() => verifier.VerifyBase64(Document, new byte[32]));
        Assert.Equal(NitroFailure.UntrustedCertificateChain, ex.Failure);
    }

    /// <summary>
    /// Single-bit flips of the genuine document that once escaped as a raw CryptographicException (the relay then answered
    /// -32603 "internal error" instead of "attestation rejected"): the platform decodes a certificate's validity, key and
    /// key-usage extension lazily, so the corruption surfaced in a later check. Each must end in the verifier's own code.
    /// </summary>
    [Theory]
    [InlineData(8995, NitroFailure.BadCertificate)] // leaf validity (NotBefore) no longer decodes
    [InlineData(10521, NitroFailure.UnsupportedCertificateKey)] // leaf public key point no longer decodes
    [InlineData(11592, NitroFailure.BadCertificate)] // leaf key-usage extension no longer decodes
    public void Verify_GenuineAwsDocumentWithCorruptLeafField_RejectedWithVerifierCode(int bit, NitroFailure expected)
    {
        var verifier = AwsVerifier(new FakeTimeProvider(DocumentTime.AddSeconds(30)));
        var document = Convert.FromBase64String(Document);
        document[bit / 8] ^= (byte)(1 << (bit % 8));

        var ex = Assert.Throws<NitroAttestationException>(() => verifier.Verify(document, new byte[32]));
        Assert.Equal(expected, ex.Failure);
    }

    /// <summary>The AWS root is cabundle[0] of the document; it is trusted only after its fingerprint matches AWS's published one.</summary>
    internal static NitroAttestationVerifier AwsVerifier(TimeProvider clock)
    {
        var root = AwsRoot();
        Assert.Equal(AwsNitroRootFingerprint, Convert.ToHexString(SHA256.HashData(root.RawData)));
        return new NitroAttestationVerifier(new NitroVerifierOptions
        {
            CaRoots = [root],
            TrustedPcrs = [new TrustedPcrSet(new byte[48], new byte[48], new byte[48])],
            TimeProvider = clock,
        });
    }

    private static X509Certificate2 AwsRoot()
    {
        var reader = new System.Formats.Cbor.CborReader(Convert.FromBase64String(Document));
        reader.ReadStartArray();
        reader.SkipValue();
        reader.SkipValue();
        var payload = new System.Formats.Cbor.CborReader(reader.ReadByteString());
        var fields = payload.ReadStartMap();
        for (var i = 0; i < fields; i++)
        {
            if (payload.ReadTextString() != "cabundle")
            {
                payload.SkipValue();
                continue;
            }

            payload.ReadStartArray();
            return X509CertificateLoader.LoadCertificate(payload.ReadByteString());
        }

        throw new InvalidOperationException("the sample document has no cabundle");
    }
}
