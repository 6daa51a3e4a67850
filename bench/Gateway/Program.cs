// Usage: dotnet run -c Release --project bench/Gateway [-- --seconds 3 --rounds 3 --concurrency 16]
// Gateway (Kestrel, loopback) + 4 relay nodes (in-process GatewayConnectors over real WebSockets, F=1) + an in-process
// echo capability per node; the client POSTs confidential.capability.execute and waits for the 2F+1 answer.
using CreAspire.Gateway.Bench;

var options = BenchOptions.Parse(args);
await using var system = await RelaySystem.StartAsync();
await LoadRun.RunAsync(system, TimeSpan.FromSeconds(1), options.Concurrency); // warm-up
var rounds = new List<LoadResult>();
for (var i = 0; i < options.Rounds; i++)
{
    rounds.Add(await LoadRun.RunAsync(system, TimeSpan.FromSeconds(options.Seconds), options.Concurrency));
}

ResultTable.Print(rounds, options);
