using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using CreAspire.Don.Launcher;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Topology;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

// Usage: dotnet run -c Release --project bench/Don -- [seconds per round=3] [rounds=3] [concurrent DON calls=16]
var seconds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 3;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 3;
var concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 16;

var callers = Enumerable.Range(0, 4).Select(i => NodeIdentity.Derive($"wf-{i}", "don-bench")).ToArray();
var servers = Enumerable.Range(0, 4).Select(i => NodeIdentity.Derive($"cap-{i}", "don-bench")).ToArray();
var snapshot = new RegistrySnapshot(
    [
        new DonInfo(1, "workflow", 1, ["bench"], true, true, [.. callers.Select(c => c.Address)], []),
        new DonInfo(3, "capability", 1, ["bench"], true, false, [.. servers.Select(s => s.Address)], [new DonCapabilityConfig(CapabilityIds.Mock, [])]),
    ], [], [CapabilityIds.Mock]);
var topology = new StaticTopologySource(snapshot);
var peers = new PeerDirectory(servers.ToDictionary(s => s.Address, _ => new Uri($"http://127.0.0.1:{FreePort()}")));
var settings = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Don:Launcher:RefreshInterval"] = "00:10:00" }).Build();

var apps = new List<WebApplication>();
foreach (var server in servers)
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.WebHost.UseUrls(peers.Resolve(server.Address).ToString());
    builder.Logging.ClearProviders();
    builder.Services.AddSingleton(server).AddSingleton(peers).AddSingleton<ITopologySource>(topology);
    builder.Services.AddCapabilityLauncher(settings).AddLocalCapability<HashEcho>();
    var app = builder.Build();
    app.MapDonTransport();
    await app.StartAsync();
    await app.Services.GetRequiredService<CapabilityLauncher>().Ready;
    apps.Add(app);
}

var registries = new List<ICapabilityRegistry>();
var providers = new List<ServiceProvider>();
foreach (var caller in callers)
{
    var services = new ServiceCollection().AddLogging().AddSingleton(caller).AddSingleton(peers).AddSingleton<ITopologySource>(topology);
    services.AddCapabilityLauncher(settings);
    var provider = services.BuildServiceProvider();
    await provider.GetRequiredService<CapabilityLauncher>().RefreshAsync(CancellationToken.None);
    registries.Add(provider.GetRequiredService<ICapabilityRegistry>());
    providers.Add(provider);
}

long sequence = 0;
var gcPauseShare = new List<double>();
var gen2Collections = new List<double>();
async Task<double> OneDonCallAsync()
{
    var executionId = Interlocked.Increment(ref sequence).ToString(CultureInfo.InvariantCulture);
    var started = Stopwatch.GetTimestamp();
    await Task.WhenAll(registries.Select(r => r.Get(CapabilityIds.Mock).ExecuteAsync(
        new CapabilityCall(CapabilityIds.Mock, CapabilityIds.ExecuteMethod, Any.Pack(new StringValue { Value = executionId }),
            new CapabilityRequestMetadata { WorkflowExecutionId = executionId, ReferenceId = "1" }),
        CancellationToken.None)));
    return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}

async Task<(double CallsPerSecond, double P50, double P99)> RoundAsync(TimeSpan duration)
{
    var latencies = new System.Collections.Concurrent.ConcurrentBag<double>();
    var pausedBefore = GC.GetTotalPauseDuration();
    var gen2Before = GC.CollectionCount(2);
    var stopwatch = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
    {
        while (stopwatch.Elapsed < duration)
        {
            latencies.Add(await OneDonCallAsync());
        }
    }));
    var sorted = latencies.Order().ToArray();
    gcPauseShare.Add((GC.GetTotalPauseDuration() - pausedBefore) / stopwatch.Elapsed * 100);
    gen2Collections.Add(GC.CollectionCount(2) - gen2Before);
    return (sorted.Length / stopwatch.Elapsed.TotalSeconds, sorted[sorted.Length / 2], sorted[(int)(sorted.Length * 0.99)]);
}

await RoundAsync(TimeSpan.FromSeconds(1)); // warm-up: JIT, connection pools
var results = new List<(double CallsPerSecond, double P50, double P99)>();
for (var i = 0; i < rounds; i++)
{
    results.Add(await RoundAsync(TimeSpan.FromSeconds(seconds)));
}

Console.WriteLine($"DON-to-DON calls: 4 workflow nodes -> 4 capability nodes (F=1 each), {concurrency} concurrent DON calls, {rounds} rounds of {seconds} s, {Environment.ProcessorCount} cores");
Console.WriteLine("A DON call = all 4 caller nodes call; each sends to all 4 capability nodes (16 requests, 16 answers on authenticated sessions).");
Console.WriteLine();
Console.WriteLine("| metric | min | median | max | target |");
Console.WriteLine("|---|---|---|---|---|");
Row("DON calls/s", results.Select(r => r.CallsPerSecond), "≥ 1,000");
Row("p50 latency (ms)", results.Select(r => r.P50), "");
Row("p99 latency (ms)", results.Select(r => r.P99), "≤ 25");
Row("GC pause (% of time)", gcPauseShare.Skip(1), "");
Row("gen2 GCs per round", gen2Collections.Skip(1), "");

foreach (var app in apps)
{
    await app.StopAsync();
    await app.DisposeAsync();
}

foreach (var provider in providers)
{
    await provider.DisposeAsync();
}

static void Row(string metric, IEnumerable<double> values, string target)
{
    var sorted = values.Order().ToArray();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {metric} | {sorted[0]:0.0} | {sorted[sorted.Length / 2]:0.0} | {sorted[^1]:0.0} | {target} |"));
}

static int FreePort()
{
    using var listener = new TcpListener(IPAddress.Loopback, 0);
    listener.Start();
    return ((IPEndPoint)listener.LocalEndpoint).Port;
}

/// <summary>An in-memory capability (answer = sha256 of the input) so the figures measure the DON protocol, not a database.</summary>
internal sealed class HashEcho : IExecutableCapability
{
    public string Id => CapabilityIds.Mock;

    public Task<CapabilityResponse> ExecuteAsync(CapabilityCall call, CancellationToken cancellationToken) =>
        Task.FromResult(new CapabilityResponse { Payload = Any.Pack(new BytesValue { Value = ByteString.CopyFrom(SHA256.HashData(call.Payload!.Value.Span)) }) });
}
