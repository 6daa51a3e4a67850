// Usage: dotnet run -c Release --project bench/Gateway [-- --seconds 3 --rounds 3 --concurrency 16 --in-process-capability]
// Gateway (Kestrel, loopback) + 4 relay nodes (GatewayConnectors over real WebSockets, F=1) + a capability DON of 4
// Kestrel nodes the relay nodes call over the DON transport; with --in-process-capability each relay node answers from
// an in-process capability instead, which measures the gateway and the relay link alone. The client POSTs
// confidential.capability.execute and waits for the 2F+1 answer.
using CreAspire.Gateway.Bench;

var options = BenchOptions.Parse(args);
using var counters = new GatewayCounters();
await using var system = await RelaySystem.StartAsync(options.InProcessCapability);
using var http = new HttpClient { BaseAddress = system.BaseAddress, Timeout = LoadRun.ClientTimeout };
var warmUp = await LoadRun.RunAsync(http, TimeSpan.FromSeconds(1), options.Concurrency);
var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
var rounds = new List<LoadResult>();
for (var i = 0; i < options.Rounds; i++)
{
    rounds.Add(await LoadRun.RunAsync(http, TimeSpan.FromSeconds(options.Seconds), options.Concurrency));
}

var allocatedPerRequest = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)Math.Max(1, rounds.Sum(r => r.Completed + r.Failed));
ResultTable.Print(warmUp, rounds, options, counters.Describe(), allocatedPerRequest);
return rounds.Sum(r => r.Failed) + warmUp.Failed == 0 ? 0 : 1;
