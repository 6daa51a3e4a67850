using System.Text;

namespace CreAspire.Chain.Crypto;

/// <summary>EIP-55 mixed-case checksum addresses.</summary>
public static class Eip55
{
    /// <summary>Checksums a 20-byte address given as hex (with or without 0x).</summary>
    public static string ToChecksumAddress(string address)
    {
        if (!Hex.IsHexOfLength(address, 20))
        {
            throw new FormatException($"'{address}' is not a 20-byte hex address.");
        }

        var lower = address.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? address[2..].ToLowerInvariant() : address.ToLowerInvariant();
        var hash = Hex.Encode(Keccak256.Hash(Encoding.ASCII.GetBytes(lower)));
        var result = new StringBuilder("0x", 42);
        for (var i = 0; i < lower.Length; i++)
        {
            var c = lower[i];
            result.Append(char.IsAsciiLetter(c) && hash[i] >= '8' ? char.ToUpperInvariant(c) : c);
        }

        return result.ToString();
    }

    /// <summary>True for a 0x address that is all-lower, all-upper, or correctly checksummed.</summary>
    public static bool IsValid(string address)
    {
        if (!address.StartsWith("0x", StringComparison.Ordinal) || !Hex.IsHexOfLength(address, 20))
        {
            return false;
        }

        var body = address[2..];
        return body == body.ToLowerInvariant() || body == body.ToUpperInvariant() || ToChecksumAddress(address) == address;
    }
}
