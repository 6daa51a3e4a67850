namespace CreAspire.Protocol.Capabilities;

/// <summary>Capability ids ("name@version") and method names used across CreAspire, as in the original.</summary>
public static class CapabilityIds
{
    public const string CronTrigger = "cron-trigger@1.0.0";
    public const string ConfidentialWorkflows = "confidential-workflows@1.0.0-alpha";
    public const string Mock = "mock@1.0.0";
    public const string Vault = "vault@1.0.0";

    public const string ExecuteMethod = "Execute";
    public const string GetSecretsMethod = "GetSecrets";

    /// <summary>The default VaultDON namespace ("main").</summary>
    public const string DefaultSecretNamespace = "main";
}
