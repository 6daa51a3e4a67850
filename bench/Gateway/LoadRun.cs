using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CreAspire.Protocol.Sdk;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace CreAspire.Gateway.Bench;

internal sealed record LoadResult(int Completed, int Failed, double RequestsPerSecond, double P50Ms, double P99Ms);

/// <summary>Closed-loop load: <c>concurrency</c> clients each POST one request after another for the duration.</summary>
internal static class LoadRun
{
    private static long _sequence;

    public static async Task<LoadResult> RunAsync(RelaySystem system, TimeSpan duration, int concurrency)
    {
        using var http = new HttpClient { BaseAddress = system.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var latencies = new List<double>[concurrency];
        var failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = [];
            while (clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                using var response = await http.PostAsJsonAsync("/", NewRequest(), RelayJson.Options);
                var body = await response.Content.ReadFromJsonAsync<JsonRpcResponse>(RelayJson.Options);
                if (!response.IsSuccessStatusCode || body?.Error is not null)
                {
                    Interlocked.Increment(ref failures);
                    continue;
                }

                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(all.Length, failures, all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99));
    }

    private static JsonRpcRequest NewRequest()
    {
        var id = "bench-" + Interlocked.Increment(ref _sequence);
        var sdk = new CapabilityRequest { Id = "mock@1.0.0", Method = "Execute", Payload = Any.Pack(new StringValue { Value = id }) };
        var parameters = new CapabilityRequestParams
        {
            WorkflowId = "00aa",
            Owner = "0x5fbdb2315678afecb367f032d93f642f64180aa3",
            ExecutionId = "exec",
            CapabilityId = "mock@1.0.0",
            Payload = Convert.ToBase64String(sdk.ToByteArray()),
            Attestation = "bench",
        };
        return new JsonRpcRequest { Id = id, Method = RelayMethods.CapabilityExecute, Params = JsonSerializer.SerializeToElement(parameters, RelayJson.Options) };
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
