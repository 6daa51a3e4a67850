using Nethereum.Util;

namespace CreAspire.Chain.Registries;

/// <summary>Checks contract addresses given by configuration or callers (Nethereum's <see cref="AddressUtil"/> judges the format).</summary>
public static class ChainAddresses
{
    /// <summary>True for a 0x-prefixed 20-byte hex address (any case of the hex digits).</summary>
    public static bool IsAddress(string? value) => value is not null && AddressUtil.Current.IsValidEthereumAddressHexFormat(value);

    /// <summary>The address lower-cased, or an <see cref="ArgumentException"/> naming what was wrong.</summary>
    public static string Require(string? value, string contract) => IsAddress(value)
        ? value!.ToLowerInvariant()
        : throw new ArgumentException($"'{value}' is not a 0x contract address (20 bytes as 40 hex characters) for {contract}.", nameof(value));
}
