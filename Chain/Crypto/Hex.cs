using System.Globalization;

namespace CreAspire.Chain.Crypto;

/// <summary>Hex helpers for 0x-prefixed (or bare) hex strings, lower-case output.</summary>
public static class Hex
{
    /// <summary>Lower-case hex with a 0x prefix.</summary>
    public static string Encode0x(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);

    /// <summary>Lower-case hex without prefix.</summary>
    public static string Encode(ReadOnlySpan<byte> bytes) => Convert.ToHexStringLower(bytes);

    /// <summary>Decodes hex with or without 0x; an odd length is left-padded with one zero nibble.</summary>
    public static byte[] Decode(string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        var span = hex.AsSpan();
        if (span.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            span = span[2..];
        }

        if (span.Length % 2 == 1)
        {
            return Convert.FromHexString("0" + span.ToString());
        }

        try
        {
            return Convert.FromHexString(span);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"'{Truncate(hex)}' is not valid hex: {ex.Message}", ex);
        }
    }

    /// <summary>True when the string is hex (optionally 0x-prefixed) of exactly <paramref name="byteLength"/> bytes.</summary>
    public static bool IsHexOfLength(string? value, int byteLength)
    {
        if (value is null)
        {
            return false;
        }

        var span = value.AsSpan();
        if (span.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            span = span[2..];
        }

        if (span.Length != byteLength * 2)
        {
            return false;
        }

        foreach (var c in span)
        {
            if (!char.IsAsciiHexDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Parses a 0x quantity (JSON-RPC number) as unsigned.</summary>
    public static ulong ParseQuantity(string quantity) =>
        ulong.Parse(quantity.AsSpan(quantity.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? 2 : 0), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);

    private static string Truncate(string s) => s.Length <= 80 ? s : s[..77] + "...";
}
