using CreAspire.Attestation.Nitro;

namespace CreAspire.RelayNode.Relay;

/// <summary>
/// The relay's production verifier: the Nitro attestation verifier with the CA roots and trusted PCR sets the AppHost
/// publishes from the enclave's identity (Attestation:CaRootsPem, Attestation:TrustedPcrs).
/// </summary>
public sealed class NitroEnclaveAttestationVerifier(NitroAttestationVerifier verifier) : IEnclaveAttestationVerifier
{
    public static NitroEnclaveAttestationVerifier FromOptions(AttestationTrustOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.CaRootsPem) || string.IsNullOrWhiteSpace(options.TrustedPcrs))
        {
            throw new InvalidOperationException("Attestation:CaRootsPem and Attestation:TrustedPcrs must both be set to verify enclave attestations.");
        }

        return new NitroEnclaveAttestationVerifier(NitroAttestationVerifier.FromPem(options.CaRootsPem, options.TrustedPcrs, timeProvider));
    }

    public void Verify(string attestationBase64, ReadOnlySpan<byte> expectedUserData)
    {
        try
        {
            verifier.VerifyBase64(attestationBase64, expectedUserData);
        }
        catch (NitroAttestationException ex)
        {
            // The failure code is deterministic across relay nodes, so their answers still agree byte for byte.
            throw new AttestationVerificationException($"{ex.Failure}: {ex.Message}") { Failure = ex.Failure.ToString() };
        }
    }
}
