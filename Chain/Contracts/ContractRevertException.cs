using CreAspire.Chain.Abi;
using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Contracts;

/// <summary>
/// A contract call or transaction reverted. <see cref="Error"/> is the decoded custom error (or Error(string)/Panic),
/// and the message names it with its arguments, e.g. "WorkflowRegistry.upsertWorkflow reverted: AttributesTooLong(provided: 2048, max: 1024)".
/// </summary>
public sealed class ContractRevertException : Exception
{
    public ContractRevertException(string operation, DecodedCall? error, byte[] revertData, Exception? innerException = null)
        : base($"{operation} reverted: {Describe(error, revertData)}", innerException)
    {
        Operation = operation;
        Error = error;
        RevertData = revertData;
    }

    public ContractRevertException() { }

    public ContractRevertException(string message) : base(message) { }

    public ContractRevertException(string message, Exception innerException) : base(message, innerException) { }

    public string Operation { get; } = "";

    /// <summary>The decoded error, or null when the revert data matched no known error.</summary>
    public DecodedCall? Error { get; }

    /// <summary>The error's name ("AttributesTooLong"), or null when unknown.</summary>
    public string? ErrorName => Error?.Name;

    public byte[] RevertData { get; } = [];

    private static string Describe(DecodedCall? error, byte[] revertData) => error is not null
        ? error.ToString()
        : revertData.Length == 0 ? "without a reason (no revert data)" : $"unknown error {Hex.Encode0x(revertData)}";
}
