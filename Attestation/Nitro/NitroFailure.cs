namespace CreAspire.Attestation.Nitro;

/// <summary>The rule a Nitro attestation document broke: one code per check of <see cref="NitroAttestationVerifier"/>.</summary>
public enum NitroFailure
{
    /// <summary>The bytes are not one well-formed CBOR item.</summary>
    NotCbor,

    /// <summary>Not a COSE_Sign1 array [protected bstr, unprotected map, payload bstr, signature bstr], or a section is empty.</summary>
    BadCoseStructure,

    /// <summary>The protected header's algorithm is not ES384 (-35).</summary>
    UnsupportedAlgorithm,

    /// <summary>The payload is not a CBOR map of the attestation document's field types.</summary>
    BadDocument,

    /// <summary>module_id, digest, timestamp, pcrs, certificate or cabundle is missing.</summary>
    MissingMandatoryField,

    /// <summary>digest is not "SHA384".</summary>
    UnsupportedDigest,

    /// <summary>timestamp is 0 or beyond the representable range.</summary>
    BadTimestamp,

    /// <summary>fewer than 1 or more than 32 PCRs.</summary>
    BadPcrCount,

    /// <summary>a PCR index is not in [0, 32).</summary>
    BadPcrIndex,

    /// <summary>a PCR value is not 32, 48 or 64 bytes.</summary>
    BadPcrLength,

    /// <summary>cabundle is empty.</summary>
    EmptyCaBundle,

    /// <summary>a cabundle item is empty or longer than 1024 bytes.</summary>
    BadCaBundleItem,

    /// <summary>public_key is longer than 1024 bytes.</summary>
    BadPublicKeyLength,

    /// <summary>user_data is longer than 1024 bytes.</summary>
    BadUserDataLength,

    /// <summary>nonce is longer than 1024 bytes.</summary>
    BadNonceLength,

    /// <summary>certificate or a cabundle item is not a DER X.509 certificate.</summary>
    BadCertificate,

    /// <summary>the leaf certificate's key is not ECDSA P-384.</summary>
    UnsupportedCertificateKey,

    /// <summary>the leaf certificate is not signed with ECDSA with SHA-384.</summary>
    UnsupportedCertificateSignatureAlgorithm,

    /// <summary>timestamp is further from now than the maximum age.</summary>
    StaleTimestamp,

    /// <summary>the leaf certificate is not valid at the verification time.</summary>
    CertificateNotTimeValid,

    /// <summary>the certificate chain does not lead to one of the configured CA roots.</summary>
    UntrustedCertificateChain,

    /// <summary>cabundle[0] (the root the document claims) is not one of the configured CA roots.</summary>
    CaBundleRootNotTrusted,

    /// <summary>the COSE signature does not verify with the leaf certificate's key.</summary>
    BadSignature,

    /// <summary>user_data differs from the expected value.</summary>
    UserDataMismatch,

    /// <summary>PCR0..2 match none of the trusted sets.</summary>
    PcrMismatch,
}

/// <summary>A Nitro attestation document failed verification; <see cref="Failure"/> names the rule it broke.</summary>
public sealed class NitroAttestationException(NitroFailure failure, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public NitroFailure Failure { get; } = failure;
}
