using System.Globalization;
using System.Text;
using System.Text.Json;
using CreAspire.Fuzzing;
using CreAspire.Protocol.JsonRpc;
using Xunit.Abstractions;

namespace CreAspire.Gateway.Tests.Gateway;

/// <summary>
/// Properties of the canonical form the 2F+1 vote hashes, over seeded random numbers and documents: every spelling of
/// one value canonicalizes alike, a different value never does, every double keeps its value through the canonical
/// text, and any JSON a node may send canonicalizes without an exception.
/// </summary>
public sealed class CanonicalJsonFuzzTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_spelling_of_a_random_exact_decimal_canonicalizes_alike_and_its_neighbour_differently()
    {
        var random = new Random(1804);
        var tally = new FuzzTally("canonical json: spellings of random exact decimals");
        for (var i = 0; i < 5000; i++)
        {
            var digits = RandomDigits(random, random.Next(1, 41));
            var exponent = random.Next(-400, 401);
            var negative = random.Next(2) == 0 ? "-" : "";
            var spellings = new[]
            {
                $"{negative}{digits}e{exponent}",
                $"{negative}{digits}000E{exponent - 3}",
                $"{negative}{digits[..1]}.{digits[1..]}0e{Signed(exponent + digits.Length - 1)}",
                $"{negative}0.00{digits}e{exponent + digits.Length + 2}",
            };
            var canonical = spellings.Select(Canonical).Distinct(StringComparer.Ordinal).ToArray();
            var neighbour = Canonical($"{negative}{digits[..^1]}{(char)('0' + ((digits[^1] - '0' + 1) % 10))}e{exponent}");
            tally.Add(spellings[0], canonical.Length != 1
                ? FuzzResult.Wrong($"spellings canonicalize differently: {string.Join(" | ", canonical)}")
                : canonical[0] == neighbour ? FuzzResult.Wrong($"neighbour has the same canonical form {neighbour}") : FuzzResult.Accepted);
        }

        tally.Report(output).AssertClean();
    }

    [Fact]
    public void Every_random_double_keeps_its_value_through_the_canonical_text()
    {
        var random = new Random(1805);
        var tally = new FuzzTally("canonical json: random doubles");
        Span<byte> bits = stackalloc byte[8];
        for (var i = 0; i < 20000; i++)
        {
            random.NextBytes(bits);
            var value = BitConverter.ToDouble(bits);
            if (!double.IsFinite(value))
            {
                continue;
            }

            var canonical = Canonical(JsonSerializer.Serialize(value));
            tally.Add(value.ToString("R", CultureInfo.InvariantCulture), double.Parse(canonical, CultureInfo.InvariantCulture) == value || (value == 0 && canonical == "0")
                ? FuzzResult.Accepted
                : FuzzResult.Wrong($"canonical text {canonical} is another double"));
        }

        tally.Report(output).AssertClean();
    }

    [Fact]
    public void Random_JSON_documents_canonicalize_without_an_exception_and_idempotently()
    {
        var valid = """{"jsonrpc":"2.0","id":"r-1","method":"confidential.capability.execute","result":{"payload":"b2s=","n":[1,-2.5e-7,3e400,{"z":null,"a":true}]}}""";
        var inputs = JsonMutations.Systematic(valid).Concat(JsonMutations.Random(valid, 3000, seed: 1806));
        var tally = FuzzTally.Run("canonical json: mutated node responses", inputs, input =>
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(input.Bytes, new JsonDocumentOptions { MaxDepth = 256 });
            }
            catch (JsonException ex)
            {
                return FuzzResult.Refused("not JSON", ex.Message);
            }

            using (document)
            {
                try
                {
                    var once = CanonicalJson.Serialize(document.RootElement);
                    using var again = JsonDocument.Parse(once, new JsonDocumentOptions { MaxDepth = 256 });
                    return once.AsSpan().SequenceEqual(CanonicalJson.Serialize(again.RootElement))
                        ? FuzzResult.Accepted
                        : FuzzResult.Wrong("canonicalizing the canonical form changed it");
                }
                catch (ArgumentException ex)
                {
                    return FuzzResult.Refused("not canonicalizable", ex.Message);
                }
#pragma warning disable CA1031 // any other exception here is a finding
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    return FuzzResult.Escaped(ex);
                }
            }
        });

        tally.Report(output).AssertClean();
        Assert.True(tally.Accepted > 1000);
    }

    private static string Signed(int exponent) => exponent >= 0 ? "+" + exponent.ToString(CultureInfo.InvariantCulture) : exponent.ToString(CultureInfo.InvariantCulture);

    private static string RandomDigits(Random random, int length)
    {
        var builder = new StringBuilder(length);
        builder.Append((char)('1' + random.Next(9)));
        for (var i = 1; i < length; i++)
        {
            builder.Append((char)('0' + random.Next(10)));
        }

        return builder.ToString();
    }

    private static string Canonical(string json) =>
        Encoding.UTF8.GetString(CanonicalJson.Serialize(JsonDocument.Parse(json).RootElement));
}
