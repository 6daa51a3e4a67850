using CreAspire.Attestation;
using CreAspire.Attestation.Testing;

namespace CreAspire.Enclave.Identity;

/// <summary>The enclave's NSM: attests domain-separated payload hashes and publishes what verifiers must trust.</summary>
public sealed class EnclaveAttestor(FakeNitroIdentity identity) : IDisposable
{
    /// <summary>JSON array of the trusted PCR0..2 sets (the relay's TrustedPCRs).</summary>
    public string TrustedPcrsJson => identity.TrustedPcrsJson;

    /// <summary>PEM of the CA root that signs the enclave's attestation certificates (the relay's CARootsPEM).</summary>
    public string CaRootsPem => identity.CaRootsPem;

    public string ModuleId => identity.ModuleId;

    /// <summary>Base64 attestation whose user_data is DomainHash(<paramref name="domainTag"/>, <paramref name="attestedBytes"/>).</summary>
    public string AttestBase64(string domainTag, byte[] attestedBytes, byte[]? publicKey = null) =>
        Convert.ToBase64String(identity.Attest(DomainHash.Compute(domainTag, attestedBytes), publicKey));

    public void Dispose() => identity.Dispose();
}
