namespace CreAspire.Chain.Contracts;

/// <summary>One decoded argument of a contract error.</summary>
public sealed record ContractErrorArgument(string Name, string Type, object? Value)
{
    public override string ToString() => $"{(Name.Length > 0 ? Name + ": " : "")}{ContractErrors.FormatValue(Value)}";
}

/// <summary>
/// A contract call or transaction reverted. <see cref="ErrorName"/> and <see cref="Arguments"/> are the decoded custom error
/// (or Error(string)), and the message names them in a sentence, e.g.
/// "WorkflowRegistry.upsertWorkflow reverted with WorkflowNameTooLong(provided: 80, maxAllowed: 64)".
/// </summary>
public sealed class ContractRevertException : Exception
{
    public ContractRevertException(string operation, string? errorName, IReadOnlyList<ContractErrorArgument> arguments, string revertData, Exception? innerException = null)
        : base($"{operation} reverted with {Describe(errorName, arguments, revertData)}", innerException)
    {
        Operation = operation;
        ErrorName = errorName;
        Arguments = arguments;
        RevertData = revertData;
    }

    public ContractRevertException() { }

    public ContractRevertException(string message) : base(message) { }

    public ContractRevertException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>"Contract.function" (or "deploy Contract").</summary>
    public string Operation { get; } = "";

    /// <summary>The error's name ("WorkflowNameTooLong", "Error" for a reason string), or null when the data matched no known error.</summary>
    public string? ErrorName { get; }

    public IReadOnlyList<ContractErrorArgument> Arguments { get; } = [];

    /// <summary>0x revert data (selector + ABI-encoded arguments), "0x" when there was none.</summary>
    public string RevertData { get; } = "0x";

    /// <summary>The argument called <paramref name="name"/>, or null.</summary>
    public object? Argument(string name) => Arguments.FirstOrDefault(a => a.Name == name)?.Value;

    private static string Describe(string? errorName, IReadOnlyList<ContractErrorArgument> arguments, string revertData) => errorName is not null
        ? $"{errorName}({string.Join(", ", arguments)})"
        : revertData is "" or "0x" ? "no reason (no revert data)" : $"an error this contract's ABI does not declare ({revertData})";
}

/// <summary>A mined transaction failed (status 0) and replaying it did not reveal a revert reason.</summary>
public sealed class TransactionFailedException : Exception
{
    public TransactionFailedException(string message) : base(message) { }

    public TransactionFailedException(string message, Exception innerException) : base(message, innerException) { }

    public TransactionFailedException() { }
}
