namespace CreAspire.Protocol;

/// <summary>Validating hex decoding for wire fields (keys, addresses) whose length is fixed; 0x prefix optional.</summary>
public static class HexText
{
    /// <summary>Decodes <paramref name="hex"/> when it is exactly <paramref name="byteLength"/> bytes of hex; false otherwise.</summary>
    public static bool TryDecode(string? hex, int byteLength, out byte[] bytes)
    {
        bytes = [];
        if (hex is null)
        {
            return false;
        }

        var body = hex.AsSpan(hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? 2 : 0);
        if (body.Length != byteLength * 2 || body.ContainsAnyExcept("0123456789abcdefABCDEF"))
        {
            return false;
        }

        bytes = Convert.FromHexString(body);
        return true;
    }

    /// <summary>True when <paramref name="hex"/> is exactly <paramref name="byteLength"/> bytes of hex (0x prefix optional).</summary>
    public static bool IsHexOfLength(string? hex, int byteLength) => TryDecode(hex, byteLength, out _);
}
