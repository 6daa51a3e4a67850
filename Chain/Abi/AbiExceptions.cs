namespace CreAspire.Chain.Abi;

/// <summary>Base of every ABI codec failure.</summary>
public class AbiException : Exception
{
    public AbiException(string message) : base(message) { }

    public AbiException(string message, Exception innerException) : base(message, innerException) { }

    public AbiException() { }
}

/// <summary>A canonical type string the factory does not understand (e.g. "uint7", "tuple" without components).</summary>
public sealed class AbiTypeException : AbiException
{
    public AbiTypeException(string message) : base(message) { }

    public AbiTypeException(string message, Exception innerException) : base(message, innerException) { }

    public AbiTypeException() { }
}

/// <summary>A value that does not fit the ABI type it is encoded as (out of range, wrong length, wrong kind).</summary>
public sealed class AbiEncodingException : AbiException
{
    public AbiEncodingException(string message) : base(message) { }

    public AbiEncodingException(string message, Exception innerException) : base(message, innerException) { }

    public AbiEncodingException() { }
}

/// <summary>Bytes that are not a valid encoding of the expected types (truncated, bad offset, dirty padding).</summary>
public sealed class AbiDecodingException : AbiException
{
    public AbiDecodingException(string message) : base(message) { }

    public AbiDecodingException(string message, Exception innerException) : base(message, innerException) { }

    public AbiDecodingException() { }
}

/// <summary>An <see cref="AbiValue"/> read back as a kind it is not (e.g. AsString on an integer).</summary>
public sealed class AbiTypeMismatchException : AbiException
{
    public AbiTypeMismatchException(string message) : base(message) { }

    public AbiTypeMismatchException(string message, Exception innerException) : base(message, innerException) { }

    public AbiTypeMismatchException() { }
}
