using CreAspire.Chain.Crypto;
using CreAspire.Protocol.Secrets;

namespace CreAspire.Enclave.Relay;

/// <summary>
/// Who a run is for, as the relay params name it, and the run's ephemeral key pair: secrets are sealed to its
/// public key and never leave the enclave decrypted. <see cref="Owner"/> is the lower-case 0x address.
/// </summary>
public sealed record ExecutionScope(string WorkflowId, string Owner, string ExecutionId, EthKey EnclaveKey)
{
    /// <summary>A scope with a fresh random secp256k1 key.</summary>
    public static ExecutionScope Create(WorkflowExecution execution)
    {
        ArgumentNullException.ThrowIfNull(execution);
        return new ExecutionScope(execution.WorkflowId, SecretSealer.CanonicalOwner(execution.Owner), execution.ExecutionId, NewKey());
    }


    private static EthKey NewKey()
    {
        while (true)
        {
            try
            {
                return new EthKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
            }
            catch (ArgumentException)
            {
                // Out of [1, n-1]: probability ~2^-128; draw again.
            }
        }
    }
}
