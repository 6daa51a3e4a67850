using System.Numerics;
using CreAspire.Chain.Abi;

namespace CreAspire.Chain.Contracts;

/// <summary>
/// A transaction to sign and send. <see cref="GasLimit"/> null means eth_estimateGas (which also surfaces reverts
/// before anything is sent); <see cref="Abi"/> decodes custom errors and <see cref="Operation"/> names the call in errors.
/// </summary>
public sealed record TransactionRequest(string? To, byte[] Data, ulong? GasLimit = null)
{
    public BigInteger Value { get; init; }

    public ContractAbi? Abi { get; init; }

    public string Operation { get; init; } = "transaction";
}

/// <summary>A transaction that was accepted by the node but may not be mined yet.</summary>
public sealed record PendingTransaction(string Hash, ulong Nonce, ulong GasLimit, TransactionRequest Request);

/// <summary>A mined transaction failed (status 0) and replaying it did not reveal a revert reason.</summary>
public sealed class TransactionFailedException : Exception
{
    public TransactionFailedException(string message) : base(message) { }

    public TransactionFailedException(string message, Exception innerException) : base(message, innerException) { }

    public TransactionFailedException() { }
}
