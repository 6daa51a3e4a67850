using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CreAspire.Protocol.JsonRpc;

/// <summary>
/// RFC 8785 (JSON Canonicalization Scheme) serialization and the SHA-256 digest the gateway votes on: object members
/// sorted by UTF-16 code units, no whitespace, minimal string escaping, ECMAScript number form; numbers compare exactly
/// (see <see cref="WriteNumber"/>), so different answers never share a digest.
/// </summary>
public static class CanonicalJson
{
    /// <summary>The canonical UTF-8 bytes; <see cref="ArgumentException"/> when the JSON holds NaN or text that is not Unicode.</summary>
    public static byte[] Serialize(JsonElement element)
    {
        var builder = new StringBuilder();
        try
        {
            Write(builder, element);
        }
        catch (InvalidOperationException ex)
        {
            // GetString and Name refuse a string escaping a lone UTF-16 surrogate ("\ud800"): JSON text, but not Unicode.
            throw new ArgumentException($"the JSON holds a string that is not Unicode text ({ex.Message}); RFC 8785 canonicalizes Unicode text only", nameof(element), ex);
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>The canonical UTF-8 bytes of <paramref name="value"/> as the relay JSON options write it; <see cref="ArgumentException"/> as above.</summary>
    public static byte[] Serialize<T>(T value)
    {
        JsonElement element;
        try
        {
            element = JsonSerializer.SerializeToElement(value, RelayJson.Options);
        }
        catch (JsonException ex)
        {
            // A JsonElement inside the value holds a string the writer refuses (a lone surrogate escape).
            throw new ArgumentException($"the value cannot be written as JSON text ({ex.Message}); RFC 8785 canonicalizes Unicode text only", nameof(value), ex);
        }

        return Serialize(element);
    }

    /// <summary>Lower-case hex SHA-256 of the canonical form.</summary>
    public static string Digest<T>(T value) => Convert.ToHexStringLower(SHA256.HashData(Serialize(value)));

    private static void Write(StringBuilder sb, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                sb.Append('{');
                var first = true;
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }

                    first = false;
                    WriteString(sb, property.Name);
                    sb.Append(':');
                    Write(sb, property.Value);
                }

                sb.Append('}');
                break;
            case JsonValueKind.Array:
                sb.Append('[');
                var firstItem = true;
                foreach (var item in element.EnumerateArray())
                {
                    if (!firstItem)
                    {
                        sb.Append(',');
                    }

                    firstItem = false;
                    Write(sb, item);
                }

                sb.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(sb, element.GetString()!);
                break;
            case JsonValueKind.Number:
                WriteNumber(sb, element);
                break;
            case JsonValueKind.True:
                sb.Append("true");
                break;
            case JsonValueKind.False:
                sb.Append("false");
                break;
            case JsonValueKind.Null:
                sb.Append("null");
                break;
            default:
                throw new ArgumentException($"Cannot canonicalize a JSON value of kind {element.ValueKind}.", nameof(element));
        }
    }

    /// <summary>
    /// Writes the number's exact decimal value in the ECMAScript Number::toString layout RFC 8785 prescribes (digits
    /// without leading or trailing zeros, plain up to 21 integer digits, "0.000ddd" down to 1e-6, else d.ddde±x). For
    /// every number whose text is a double's shortest round-trip form (all a serializer writes from a double or a 64-bit
    /// integer) this is exactly RFC 8785's output. Other numbers are not rounded to a double first, as RFC 8785 would:
    /// 18446744073709551616 and 18446744073709551617 are different answers and must not share a digest; a value beyond
    /// the double range (1e400) is written, not refused.
    /// </summary>
    private static void WriteNumber(StringBuilder sb, JsonElement element)
    {
        // The text is a valid JSON number (the parser checked): -?int(.frac)?([eE][+-]?exp)?
        var text = element.GetRawText();
        var negative = text[0] == '-';
        var exponentAt = text.AsSpan().IndexOfAny('e', 'E');
        var mantissa = text.AsSpan(negative ? 1 : 0, (exponentAt < 0 ? text.Length : exponentAt) - (negative ? 1 : 0));
        var exponent = exponentAt < 0 ? BigInteger.Zero : BigInteger.Parse(text.AsSpan(exponentAt + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        var dot = mantissa.IndexOf('.');
        var integerDigits = dot < 0 ? mantissa.Length : dot;
        var digits = dot < 0 ? mantissa.ToString() : string.Concat(mantissa[..dot], mantissa[(dot + 1)..]);

        var significant = digits.TrimStart('0');
        if (significant.Length == 0)
        {
            sb.Append('0'); // also -0
            return;
        }

        // value = 0.significant × 10^point
        var point = integerDigits - (digits.Length - significant.Length) + exponent;
        significant = significant.TrimEnd('0');
        if (negative)
        {
            sb.Append('-');
        }

        var count = significant.Length;
        if (count <= point && point <= 21)
        {
            sb.Append(significant).Append('0', (int)point - count);
        }
        else if (point > 0 && point <= 21)
        {
            sb.Append(significant.AsSpan(0, (int)point)).Append('.').Append(significant.AsSpan((int)point));
        }
        else if (point > -6 && point <= 0)
        {
            sb.Append("0.").Append('0', -(int)point).Append(significant);
        }
        else
        {
            sb.Append(significant[0]);
            if (count > 1)
            {
                sb.Append('.').Append(significant.AsSpan(1));
            }

            var power = point - 1;
            sb.Append('e').Append(power.Sign >= 0 ? '+' : '-').Append(BigInteger.Abs(power).ToString(CultureInfo.InvariantCulture));
        }
    }

    private static void WriteString(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
