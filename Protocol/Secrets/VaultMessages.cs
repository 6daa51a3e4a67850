namespace CreAspire.Protocol.Secrets;

/// <summary>Texts of vault@1.0.0's per-secret errors that callers act on.</summary>
public static class VaultMessages
{
    /// <summary>Start of the error of a secret the vault does not hold ("secret not found: owner …, namespace …, key …").</summary>
    public const string SecretNotFound = "secret not found";
}
