using CreAspire.Protocol.Secrets;

namespace CreAspire.Enclave.Relay;

/// <summary>
/// Who a run is for, as the relay params name it, and the run's ephemeral X25519 key pair: secrets are sealed to its
/// public key and never leave the enclave decrypted. <see cref="Owner"/> is the lower-case 0x address.
/// </summary>
public sealed record ExecutionScope(string WorkflowId, string Owner, string ExecutionId, byte[] EnclavePrivateKey, byte[] EnclavePublicKey)
{
    /// <summary>A scope with a fresh random X25519 key pair.</summary>
    public static ExecutionScope Create(WorkflowExecution execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        var (privateKey, publicKey) = SecretSealer.CreateKeyPair();
        return new ExecutionScope(execution.WorkflowId, SecretSealer.CanonicalOwner(execution.Owner), execution.ExecutionId, privateKey, publicKey);
    }
}
