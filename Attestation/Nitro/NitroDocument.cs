namespace CreAspire.Attestation.Nitro;

/// <summary>
/// A verified Nitro attestation document. Verified: structure, field limits, certificate chain to a configured root,
/// COSE signature, freshness of <see cref="Timestamp"/>, <see cref="UserData"/> against the expected value, PCR0..2
/// against the trusted sets. NOT verified: <see cref="Nonce"/> (callers that want replay protection must compare it),
/// <see cref="PublicKey"/> (opaque to the verifier), PCRs above 2.
/// </summary>
public sealed record NitroDocument(
    string ModuleId,
    DateTimeOffset Timestamp,
    string Digest,
    IReadOnlyDictionary<int, byte[]> Pcrs,
    byte[] Certificate,
    IReadOnlyList<byte[]> CaBundle,
    byte[]? PublicKey,
    byte[]? UserData,
    byte[]? Nonce);
