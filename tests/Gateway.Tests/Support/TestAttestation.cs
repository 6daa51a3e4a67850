using System.Security.Cryptography;
using CreAspire.RelayNode.Relay;

namespace CreAspire.Gateway.Tests.Support;

/// <summary>
/// A small stand-in for the Nitro format until the real verifier is wired: document = user_data(32) ‖ enclave id(1) ‖
/// HMAC-SHA256(enclave key, user_data ‖ id). Forged (wrong key), tampered (user_data of other params) and untrusted
/// (enclave id not trusted) documents fail distinct checks, like the real verifier's rules.
/// </summary>
internal sealed class TestAttestation : IEnclaveAttestationVerifier
{
    private static readonly byte[] EnclaveKey = "test-enclave-signing-key"u8.ToArray();

    public int Calls { get; private set; }

    public byte TrustedEnclave { get; init; } = 1;

    public static string Attest(ReadOnlySpan<byte> userData, byte enclave = 1, byte[]? key = null)
    {
        byte[] body = [.. userData, enclave];
        return Convert.ToBase64String([.. body, .. HMACSHA256.HashData(key ?? EnclaveKey, body)]);
    }

    public void Verify(string attestationBase64, ReadOnlySpan<byte> expectedUserData)
    {
        Calls++;
        byte[] document;
        try
        {
            document = Convert.FromBase64String(attestationBase64);
        }
        catch (FormatException ex)
        {
            throw new AttestationVerificationException("attestation is not base64", ex);
        }

        if (document.Length != 32 + 1 + 32)
        {
            throw new AttestationVerificationException("malformed attestation document");
        }

        if (!CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(EnclaveKey, document.AsSpan(0, 33)), document.AsSpan(33)))
        {
            throw new AttestationVerificationException("attestation signature is invalid");
        }

        if (document[32] != TrustedEnclave)
        {
            throw new AttestationVerificationException("no trusted PCR set matched");
        }

        if (!document.AsSpan(0, 32).SequenceEqual(expectedUserData))
        {
            throw new AttestationVerificationException("user_data does not match the request");
        }
    }
}
