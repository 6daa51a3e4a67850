using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace CreAspire.Protocol.JsonRpc;

/// <summary>
/// RFC 8785 (JSON Canonicalization Scheme) serialization and the SHA-256 digest the gateway votes on: object members
/// sorted by UTF-16 code units, no whitespace, minimal string escaping, ECMAScript number form.
/// </summary>
public static class CanonicalJson
{
    public static byte[] Serialize(JsonElement element)
    {
        var builder = new StringBuilder();
        Write(builder, element);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    public static byte[] Serialize<T>(T value) => Serialize(JsonSerializer.SerializeToElement(value, RelayJson.Options));

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

    private static void WriteNumber(StringBuilder sb, JsonElement element)
    {
        if (element.TryGetInt64(out var integer))
        {
            sb.Append(integer.ToString(CultureInfo.InvariantCulture));
            return;
        }

        var value = element.GetDouble();
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new ArgumentException("NaN and Infinity are not valid JSON numbers.", nameof(element));
        }

        if (value == Math.Floor(value) && Math.Abs(value) < 1e21)
        {
            sb.Append(value.ToString("0", CultureInfo.InvariantCulture));
            return;
        }

        // Shortest round-trip form; .NET's "R" matches ECMAScript except for the exponent spelling.
        var text = value.ToString("R", CultureInfo.InvariantCulture).Replace("E+", "e+", StringComparison.Ordinal).Replace("E-", "e-", StringComparison.Ordinal);
        sb.Append(text);
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
