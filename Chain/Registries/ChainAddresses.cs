namespace CreAspire.Chain.Registries;

/// <summary>Checks contract addresses given by configuration or callers.</summary>
public static class ChainAddresses
{
    /// <summary>True for a 0x-prefixed 20-byte hex address (any case).</summary>
    public static bool IsAddress(string? value) =>
        value is { Length: 42 } && value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) && value.AsSpan(2).ContainsAnyExcept(HexDigits) is false;

    /// <summary>The address lower-cased, or an <see cref="ArgumentException"/> naming what was wrong.</summary>
    public static string Require(string? value, string contract) => IsAddress(value)
        ? value!.ToLowerInvariant()
        : throw new ArgumentException($"'{value}' is not a 0x contract address (20 bytes as 40 hex characters) for {contract}.", nameof(value));

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
}
