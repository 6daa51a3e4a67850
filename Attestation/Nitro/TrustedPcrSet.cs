using System.Text.Json;
using System.Text.Json.Serialization;

namespace CreAspire.Attestation.Nitro;

/// <summary>
/// The PCR0..2 values (enclave image, kernel, application) of one enclave build the verifier accepts. JSON form, as
/// the relay configuration carries it: <c>{"pcr0":"hex","pcr1":"hex","pcr2":"hex"}</c>; a list is a JSON array.
/// </summary>
public sealed record TrustedPcrSet(byte[] Pcr0, byte[] Pcr1, byte[] Pcr2)
{
    /// <summary>Parses a JSON array of sets (first match wins) or a single set object.</summary>
    public static IReadOnlyList<TrustedPcrSet> ParseJson(string json)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(json);
        try
        {
            using var document = JsonDocument.Parse(json);
            var sets = document.RootElement.ValueKind == JsonValueKind.Array
                ? document.RootElement.EnumerateArray().Select(ParseElement).ToArray()
                : [ParseElement(document.RootElement)];
            return sets.Length > 0
                ? sets
                : throw new FormatException("the trusted PCR list is empty; give at least one {\"pcr0\",\"pcr1\",\"pcr2\"} set");
        }
        catch (JsonException ex)
        {
            throw new FormatException($"trusted PCRs are not valid JSON: {ex.Message}", ex);
        }
    }

    /// <summary>JSON array of the given sets, the format <see cref="ParseJson"/> reads.</summary>
    public static string ToJson(IEnumerable<TrustedPcrSet> sets) =>
        JsonSerializer.Serialize(sets.Select(s => new PcrJson(Convert.ToHexStringLower(s.Pcr0), Convert.ToHexStringLower(s.Pcr1), Convert.ToHexStringLower(s.Pcr2))));

    /// <summary>True when the document's PCR0..2 equal this set's.</summary>
    public bool Matches(IReadOnlyDictionary<int, byte[]> pcrs) =>
        Equal(pcrs, 0, Pcr0) && Equal(pcrs, 1, Pcr1) && Equal(pcrs, 2, Pcr2);

    private static bool Equal(IReadOnlyDictionary<int, byte[]> pcrs, int index, byte[] expected) =>
        pcrs.TryGetValue(index, out var actual) && actual.AsSpan().SequenceEqual(expected);

    private static TrustedPcrSet ParseElement(JsonElement element)
    {
        var set = element.Deserialize<PcrJson>()
            ?? throw new FormatException("a trusted PCR set is null; expected {\"pcr0\",\"pcr1\",\"pcr2\"}");
        return new TrustedPcrSet(Decode(set.Pcr0, "pcr0"), Decode(set.Pcr1, "pcr1"), Decode(set.Pcr2, "pcr2"));
    }

    private static byte[] Decode(string? hex, string name)
    {
        if (string.IsNullOrWhiteSpace(hex))
        {
            throw new FormatException($"a trusted PCR set has no {name}; every set needs pcr0, pcr1 and pcr2 as hex");
        }

        try
        {
            return Convert.FromHexString(hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex);
        }
        catch (FormatException ex)
        {
            throw new FormatException($"trusted {name} '{hex}' is not hex", ex);
        }
    }

    private sealed record PcrJson(
        [property: JsonPropertyName("pcr0")] string? Pcr0,
        [property: JsonPropertyName("pcr1")] string? Pcr1,
        [property: JsonPropertyName("pcr2")] string? Pcr2);
}
