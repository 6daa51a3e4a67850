using System.Globalization;

namespace CreAspire.Gateway.Bench;

internal sealed record BenchOptions(int Seconds, int Rounds, int Concurrency)
{
    public static BenchOptions Parse(string[] args)
    {
        int Get(string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
        }

        return new BenchOptions(Get("--seconds", 3), Get("--rounds", 3), Get("--concurrency", 16));
    }
}

internal static class ResultTable
{
    public static void Print(IReadOnlyList<LoadResult> rounds, BenchOptions options)
    {
        Console.WriteLine($"confidential.capability.execute via gateway + 4 relay nodes (F=1), loopback; {options.Rounds} rounds x {options.Seconds} s, {options.Concurrency} concurrent clients; failed requests: {rounds.Sum(r => r.Failed)}");
        Console.WriteLine();
        Console.WriteLine("| metric | min | median | max | target |");
        Console.WriteLine("|---|---|---|---|---|");
        Row("requests/s", rounds.Select(r => r.RequestsPerSecond), "≥ 500");
        Row("p50 latency (ms)", rounds.Select(r => r.P50Ms), "");
        Row("p99 latency (ms)", rounds.Select(r => r.P99Ms), "≤ 50");
    }

    private static void Row(string metric, IEnumerable<double> values, string target)
    {
        var sorted = values.Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {metric} | {sorted[0]:0.0} | {sorted[sorted.Length / 2]:0.0} | {sorted[^1]:0.0} | {target} |"));
    }
}
