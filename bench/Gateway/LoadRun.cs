using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CreAspire.Protocol.Sdk;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace CreAspire.Gateway.Bench;

/// <summary>One round: answered requests, failed ones (error answer or transport failure), unanswered ones (client timeout).</summary>
internal sealed record LoadResult(int Completed, int Failed, int Unanswered, double RequestsPerSecond, double P50Ms, double P99Ms, IReadOnlyList<string> FirstErrors);

/// <summary>Closed-loop load: <c>concurrency</c> clients each POST one request after another for the duration.</summary>
internal static class LoadRun
{
    /// <summary>
    /// Longer than the gateway's own deadline (Gateway:UserRequestTimeout, 32 s), so a request the gateway expires is
    /// reported with the gateway's error, and only a request the gateway never answered counts as unanswered.
    /// </summary>
    public static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(40);

    private const int ErrorsKept = 5;
    private static long _sequence;

    public static async Task<LoadResult> RunAsync(HttpClient http, TimeSpan duration, int concurrency)
    {
        var latencies = new List<double>[concurrency];
        var failures = 0;
        var unanswered = 0;
        var errors = new ConcurrentQueue<string>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var mine = latencies[worker] = [];
            while (clock.Elapsed < duration)
            {
                var request = NewRequest();
                var started = Stopwatch.GetTimestamp();
                string? error;
                try
                {
                    using var response = await http.PostAsJsonAsync("/", request, RelayJson.Options);
                    var body = await response.Content.ReadFromJsonAsync<JsonRpcResponse>(RelayJson.Options);
                    error = response.IsSuccessStatusCode && body?.Error is null ? null : $"HTTP {(int)response.StatusCode}: {body?.Error?.Message}";
                }
                catch (TaskCanceledException) when (Stopwatch.GetElapsedTime(started) >= ClientTimeout)
                {
                    Interlocked.Increment(ref unanswered);
                    error = $"no answer within {ClientTimeout.TotalSeconds} s";
                }
                catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException)
                {
                    error = $"{ex.GetType().Name}: {ex.Message}";
                }

                if (error is not null)
                {
                    Interlocked.Increment(ref failures);
                    if (errors.Count < ErrorsKept)
                    {
                        errors.Enqueue($"{request.Id}: {error}");
                    }

                    continue;
                }

                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).Order().ToArray();
        return new LoadResult(all.Length, failures, unanswered, all.Length / elapsed, Percentile(all, 0.50), Percentile(all, 0.99), [.. errors.Take(ErrorsKept)]);
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
