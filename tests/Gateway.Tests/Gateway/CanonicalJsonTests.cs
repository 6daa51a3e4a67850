using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using CreAspire.Gateway.Routing;
using CreAspire.Protocol.JsonRpc;

namespace CreAspire.Gateway.Tests.Gateway;

/// <summary>
/// The canonical form the gateway's 2F+1 vote hashes: RFC 8785 for every number a serializer writes (the shortest
/// round-trip form of a double, any 64-bit integer), and exact for every other number, so two different answers never
/// share a digest.
/// </summary>
public sealed class CanonicalJsonTests
{
    /// <summary>RFC 8785 appendix B: IEEE 754 doubles (hex) and their canonical text, written here in their shortest form.</summary>
    [Theory]
    [InlineData("0000000000000000", "0")]
    [InlineData("8000000000000000", "0")]
    [InlineData("0000000000000001", "5e-324")]
    [InlineData("8000000000000001", "-5e-324")]
    [InlineData("7fefffffffffffff", "1.7976931348623157e+308")]
    [InlineData("ffefffffffffffff", "-1.7976931348623157e+308")]
    [InlineData("4340000000000000", "9007199254740992")]
    [InlineData("c340000000000000", "-9007199254740992")]
    [InlineData("4430000000000000", "295147905179352830000")]
    [InlineData("44b52d02c7e14af5", "9.999999999999997e+22")]
    [InlineData("44b52d02c7e14af6", "1e+23")]
    [InlineData("44b52d02c7e14af7", "1.0000000000000001e+23")]
    [InlineData("444b1ae4d6e2ef4e", "999999999999999700000")]
    [InlineData("444b1ae4d6e2ef4f", "999999999999999900000")]
    [InlineData("444b1ae4d6e2ef50", "1e+21")]
    [InlineData("3eb0c6f7a0b5ed8c", "9.999999999999997e-7")]
    [InlineData("3eb0c6f7a0b5ed8d", "0.000001")]
    [InlineData("41b3de4355555553", "333333333.3333332")]
    [InlineData("41b3de4355555554", "333333333.33333325")]
    [InlineData("41b3de4355555555", "333333333.3333333")]
    [InlineData("41b3de4355555556", "333333333.3333334")]
    [InlineData("41b3de4355555557", "333333333.33333343")]
    [InlineData("becbf647612f3696", "-0.0000033333333333333333")]
    [InlineData("43143ff3c1cb0959", "1424953923781206.2")]
    public void Doubles_in_their_shortest_form_canonicalize_as_RFC_8785_appendix_B(string ieeeHex, string expected)
    {
        var value = BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(Convert.FromHexString(ieeeHex)));

        Assert.Equal(expected, Canonical(value.ToString("R", CultureInfo.InvariantCulture)));
        Assert.Equal(expected, Canonical(JsonSerializer.Serialize(value)));
    }

    [Theory]
    [InlineData("100", "100")]
    [InlineData("1e2", "100")]
    [InlineData("100.000", "100")]
    [InlineData("1.00E+2", "100")]
    [InlineData("-0", "0")]
    [InlineData("-0.0e-5", "0")]
    [InlineData("4.50", "4.5")]
    [InlineData("2e-3", "0.002")]
    [InlineData("1E30", "1e+30")]
    [InlineData("0.000000000000000000000000001", "1e-27")]
    [InlineData("1e-7", "1e-7")]
    [InlineData("-1.5e-7", "-1.5e-7")]
    [InlineData("123e-2", "1.23")]
    [InlineData("9223372036854775807", "9223372036854775807")]
    [InlineData("-9223372036854775808", "-9223372036854775808")]
    public void Numbers_that_denote_the_same_value_canonicalize_alike_in_the_RFC_8785_form(string json, string expected) =>
        Assert.Equal(expected, Canonical(json));

    [Theory]
    [InlineData("18446744073709551616", "18446744073709551617")]
    [InlineData("9007199254740993", "9007199254740992")]
    [InlineData("-9223372036854775809", "-9223372036854775810")]
    [InlineData("1e400", "1.0000000000000000000001e400")]
    [InlineData("0.1000000000000000055511151231257827", "0.1")]
    public void Different_numbers_have_different_digests_even_beyond_64_bits_and_double_precision(string one, string other)
    {
        Assert.NotEqual(Digest(one), Digest(other));
        Assert.Equal(Digest(one), Digest(one.ToUpperInvariant()));
    }

    [Theory]
    [InlineData("18446744073709551616", "18446744073709551616")]
    [InlineData("18446744073709551616.0", "18446744073709551616")]
    [InlineData("1.8446744073709551617e19", "18446744073709551617")]
    [InlineData("1e400", "1e+400")]
    [InlineData("-1e-400", "-1e-400")]
    [InlineData("123456789012345678901234567890e-30", "0.12345678901234567890123456789")]
    public void Numbers_no_double_holds_are_kept_exact_in_the_same_layout(string json, string expected) =>
        Assert.Equal(expected, Canonical(json));

    [Fact]
    public void Relay_answers_differing_only_beyond_64_bits_do_not_count_as_agreeing()
    {
        var one = JsonRpcResponse.Success("r-1", "confidential.capability.execute", JsonDocument.Parse("{\"balance\":18446744073709551616}").RootElement);
        var other = one with { Result = JsonDocument.Parse("{\"balance\":18446744073709551617}").RootElement };

        Assert.NotEqual(CanonicalJson.Digest(one), CanonicalJson.Digest(other));
    }

    private static string Canonical(string json) =>
        Encoding.UTF8.GetString(CanonicalJson.Serialize(JsonDocument.Parse(json).RootElement));

    private static string Digest(string json) => CanonicalJson.Digest(JsonDocument.Parse($"{{\"n\":{json}}}").RootElement);
}
