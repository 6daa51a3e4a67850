using System.Numerics;
using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Rpc;

/// <summary>An eth_call / eth_estimateGas request. <see cref="To"/> null means contract creation.</summary>
public sealed record CallRequest(string? To, byte[] Data, string? From = null, BigInteger? Value = null, ulong? Gas = null);

/// <summary>One log of a receipt or eth_getLogs; topics and data as bytes.</summary>
public sealed record LogEntry(string Address, IReadOnlyList<byte[]> Topics, byte[] Data, ulong BlockNumber, string TransactionHash, ulong LogIndex);

/// <summary>A mined transaction's receipt; <see cref="Succeeded"/> is status 0x1.</summary>
public sealed record TransactionReceipt(
    string TransactionHash,
    ulong BlockNumber,
    bool Succeeded,
    ulong GasUsed,
    string From,
    string? To,
    string? ContractAddress,
    IReadOnlyList<LogEntry> Logs);

/// <summary>eth_getLogs filter: addresses, topic 0 alternatives, and an inclusive block range (null = latest).</summary>
public sealed record LogFilter(IReadOnlyList<string> Addresses, IReadOnlyList<byte[]>? Topic0 = null, ulong FromBlock = 0, ulong? ToBlock = null)
{
    internal object ToJson() => new Dictionary<string, object?>
    {
        ["address"] = Addresses.Select(a => a.ToLowerInvariant()).ToArray(),
        ["fromBlock"] = Quantity.Format(FromBlock),
        ["toBlock"] = ToBlock is { } to ? Quantity.Format(to) : "latest",
        ["topics"] = Topic0 is { Count: > 0 } t ? new object?[] { t.Select(x => Hex.Encode0x(x)).ToArray() } : Array.Empty<object?>(),
    };
}

/// <summary>Fees for a type-2 transaction.</summary>
public sealed record FeeEstimate(BigInteger MaxFeePerGas, BigInteger MaxPriorityFeePerGas);

internal static class Quantity
{
    public static string Format(BigInteger value) => value.IsZero ? "0x0" : "0x" + value.ToString("x", System.Globalization.CultureInfo.InvariantCulture).TrimStart('0');

    public static BigInteger Parse(string hex) => hex is "0x" or "0x0"
        ? BigInteger.Zero
        : BigInteger.Parse("0" + hex[2..], System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);
}
