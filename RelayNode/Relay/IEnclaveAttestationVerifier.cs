namespace CreAspire.RelayNode.Relay;

/// <summary>
/// Checks a base64 Nitro attestation document: signature and certificate chain to the trusted CA roots, PCRs equal to a
/// trusted set, freshness, and <c>user_data</c> equal to <paramref name="expectedUserData"/>. Throws
/// <see cref="AttestationVerificationException"/> with a message naming the failed check; returns normally when valid.
/// </summary>
public interface IEnclaveAttestationVerifier
{
    void Verify(string attestationBase64, ReadOnlySpan<byte> expectedUserData);
}

/// <summary>The attestation was rejected; the message says which check failed (it is returned to the caller, so it must not vary between relay nodes).</summary>
public sealed class AttestationVerificationException : Exception
{
    public AttestationVerificationException(string message)
        : base(message)
    {
    }

    public AttestationVerificationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>The check that failed (e.g. a Nitro failure code), as metrics tag it; null when the verifier does not say.</summary>
    public string? Failure { get; init; }
}

/// <summary>
/// Trust configuration for the verifier (section "Attestation"), published by the AppHost from the enclave's identity.
/// </summary>
public sealed class AttestationTrustOptions
{
    public const string SectionName = "Attestation";

    /// <summary>JSON array of trusted PCR sets, <c>[{"pcr0":"hex","pcr1":"hex","pcr2":"hex"}, ...]</c> (or one such object).</summary>
    public string? TrustedPcrs { get; set; }

    /// <summary>PEM of the CA root(s) the document's certificate chain must end in.</summary>
    public string? CaRootsPem { get; set; }

    /// <summary>
    /// The original's <c>TrustEnclaves</c> switch: skip attestation checks entirely. Only for tests with fake enclaves
    /// that cannot attest; logged loudly at start.
    /// </summary>
    public bool TrustEnclaves { get; set; }
}

/// <summary>
/// Fail-closed default until a real verifier is registered: every attestation is rejected, so a misconfigured relay
/// never reaches the vault or a capability.
/// </summary>
public sealed class UnconfiguredAttestationVerifier : IEnclaveAttestationVerifier
{
    public void Verify(string attestationBase64, ReadOnlySpan<byte> expectedUserData) =>
        throw new AttestationVerificationException("no attestation verifier is configured on this relay node; register an IEnclaveAttestationVerifier (Nitro) with Attestation:TrustedPcrs and Attestation:CaRootsPem")
        {
            Failure = "Unconfigured",
        };
}

/// <summary>Accepts every attestation (Attestation:TrustEnclaves=true), mirroring the original's passthrough verifier.</summary>
public sealed class TrustAllAttestationVerifier : IEnclaveAttestationVerifier
{
    public void Verify(string attestationBase64, ReadOnlySpan<byte> expectedUserData)
    {
    }
}
