using System.Globalization;

namespace CreAspire.Gateway.Bench;

internal sealed record BenchOptions(int Seconds, int Rounds, int Concurrency, bool InProcessCapability)
{
    public string Mode => InProcessCapability
        ? "gateway + 4 relay nodes (F=1) + in-process capability on each relay node (--in-process-capability)"
        : "gateway + 4 relay nodes (F=1) + 4 capability nodes (F=1) over the DON transport";

    public static BenchOptions Parse(string[] args)
    {
        int Get(string name, int fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var value) ? value : fallback;
        }

        return new BenchOptions(Get("--seconds", 3), Get("--rounds", 3), Get("--concurrency", 16), args.Contains("--in-process-capability"));
    }
}

internal static class ResultTable
{
    public static void Print(LoadResult warmUp, IReadOnlyList<LoadResult> rounds, BenchOptions options, IReadOnlyList<string> gatewayCounters, double allocatedPerRequest)
    {
        var all = rounds.Prepend(warmUp).ToArray();
        Console.WriteLine($"confidential.capability.execute via {options.Mode}, loopback, {Environment.ProcessorCount} cores; " +
            $"{options.Rounds} rounds x {options.Seconds} s after a 1 s warm-up, {options.Concurrency} concurrent clients; " +
            $"answered: {all.Sum(r => r.Completed)}, failed: {all.Sum(r => r.Failed)} (of which unanswered within {LoadRun.ClientTimeout.TotalSeconds} s: {all.Sum(r => r.Unanswered)})");
        Console.WriteLine();
        Console.WriteLine("| metric | min | median | max | target |");
        Console.WriteLine("|---|---|---|---|---|");
        Row("requests/s", rounds.Select(r => r.RequestsPerSecond), "≥ 500");
        Row("p50 latency (ms)", rounds.Select(r => r.P50Ms), "");
        Row("p99 latency (ms)", rounds.Select(r => r.P99Ms), "≤ 50");
        Console.WriteLine();
        foreach (var error in all.SelectMany(r => r.FirstErrors).Take(5))
        {
            Console.WriteLine("failed: " + error);
        }

        Console.WriteLine("gateway counters: " + string.Join("; ", gatewayCounters));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"managed bytes allocated per request (whole process: client, gateway, relay nodes{(options.InProcessCapability ? "" : ", capability nodes")}): {allocatedPerRequest:0}"));
    }

    private static void Row(string metric, IEnumerable<double> values, string target)
    {
        var sorted = values.Order().ToArray();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {metric} | {sorted[0]:0.0} | {sorted[sorted.Length / 2]:0.0} | {sorted[^1]:0.0} | {target} |"));
    }
}
