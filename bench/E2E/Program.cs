// End-to-end benchmark on the default topology (27 resources, real services), started through the testing builder.
// Usage: dotnet run -c Release --project bench/E2E -- [--executions 50] [--burst 20] [--idle-settle 5] [--normal-sample hello-cron]
//   1. starts the topology (registries deployed by the contracts step), samples resident memory at idle;
//   2. deploys confidential-mock with attributes {"confidential":true,...} (runs in the enclave, calls mock@1.0.0 through the
//      gateway and relay DON) and --normal-sample (default hello-cron: no attributes, runs on the workflow nodes and calls
//      mock@1.0.0 from the workflow DON; confidential-mock as a normal workflow also reads MOCK_SECRET through vault@1.0.0);
//      registration → first succeeded execution = from the upsert receipt, wait until active on every workflow node, fire now;
//   3. fires each workflow --executions times, one at a time, on every workflow node with the same scheduled time;
//      trigger → mock receipt and trigger → finished per execution; p50/p99 per path and the confidential/normal ratio;
//   4. fires --burst executions of each path at once and samples resident memory while they run ("under load").
using System.Diagnostics;
using System.Globalization;
using CreAspire.AppHost.Topology;
using CreAspire.E2E.Bench;
using CreAspire.Hosting;
using CreAspire.Hosting.Testing;
using Microsoft.Extensions.Configuration;

var configuration = new ConfigurationBuilder().AddCommandLine(args).Build();
var executions = int.Parse(configuration["executions"] ?? "50", CultureInfo.InvariantCulture);
var burst = int.Parse(configuration["burst"] ?? "20", CultureInfo.InvariantCulture);
var normalSample = configuration["normal-sample"] ?? "hello-cron";
var idleSettle = TimeSpan.FromSeconds(double.Parse(configuration["idle-settle"] ?? "5", CultureInfo.InvariantCulture));
using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
var ct = deadline.Token;

var builder = DistributedApplicationTestingBuilder.Create(args, o =>
{
    o.DashboardPort = null;
    o.StartupTimeout = TimeSpan.FromMinutes(3);
    o.DependencyTimeout = TimeSpan.FromMinutes(3);
});
var options = CreTopologyOptions.FromConfiguration(builder.Configuration);
options.ArtifactsFolder = Directory.CreateTempSubdirectory("creaspire-bench-e2e-artifacts-").FullName;
options.DeployRegistries = (request, token) => ChainRegistryDeployer.DeployAsync(request, options.Seed, token);
var resources = CreTopology.AddDefaultTopology(builder, options);
await using var app = await builder.BuildAsync();

var clock = Stopwatch.StartNew();
try
{
    await app.StartAsync(ct);
}
catch (DistributedApplicationException)
{
    Console.Error.WriteLine(app.DescribeResources());
    throw;
}

var startup = clock.Elapsed;
Console.Error.WriteLine($"default topology ({app.ResourceNotifications.GetSnapshots().Count} resources) healthy in {startup.TotalSeconds:0.00} s");

var memory = new MemorySampler(app);
await Task.Delay(idleSettle, ct); // let the freshly started processes finish their start-up work before "idle"
var idle = memory.Sample();
Console.Error.WriteLine($"idle resident memory: {idle.TotalMiB:0} MiB over {idle.PerResource.Count} resources");

var cluster = new WorkflowCluster(resources);
var confidential = await cluster.DeployAndFirstExecutionAsync("confidential-mock", confidential: true, ct);
Console.Error.WriteLine($"confidential workflow {confidential.Workflow.WorkflowId}: first execution {confidential.RegistrationToFirstExecution.TotalMilliseconds:0} ms after the receipt");
var normal = await cluster.DeployAndFirstExecutionAsync(normalSample, confidential: false, ct);
Console.Error.WriteLine($"normal workflow {normal.Workflow.WorkflowId}: first execution {normal.RegistrationToFirstExecution.TotalMilliseconds:0} ms after the receipt");

// Interleave the paths so machine noise (other engineers' builds) hits both alike.
var confidentialRuns = new List<ExecutionTiming>();
var normalRuns = new List<ExecutionTiming>();
for (var i = 1; i <= executions; i++)
{
    confidentialRuns.Add(await cluster.FireAndWaitAsync(confidential.Workflow, i, ct));
    normalRuns.Add(await cluster.FireAndWaitAsync(normal.Workflow, i, ct));
    if (i % 10 == 0)
    {
        Console.Error.WriteLine($"{i}/{executions} executions per path");
    }
}

// Under load: a burst of concurrent executions on both paths, memory sampled until they are all finished. A failed
// execution (e.g. the enclave refusing work at capacity) is counted, not fatal: the burst measures what the topology does.
var peak = memory.Sample();
var load = Task.WhenAll(Enumerable.Range(executions + 1, burst).SelectMany(i => new[]
{
    cluster.TryFireAndWaitAsync(confidential.Workflow, "confidential", i, ct),
    cluster.TryFireAndWaitAsync(normal.Workflow, "normal", i, ct),
}));
while (!load.IsCompleted)
{
    var sample = memory.Sample();
    peak = sample.TotalMiB > peak.TotalMiB ? sample : peak;
    await Task.WhenAny(load, Task.Delay(250, ct));
}

var burstRuns = await load;
foreach (var failure in burstRuns.Where(r => r.Error is not null).GroupBy(r => r.Error).Take(3))
{
    Console.Error.WriteLine($"burst failures ({failure.Count()}): {failure.Key}");
}

Console.Error.WriteLine($"burst: {burstRuns.Length} executions, {burstRuns.Count(r => r.Error is null)} succeeded, peak resident memory {peak.TotalMiB:0} MiB");

Console.WriteLine(E2EReport.ToMarkdown(startup, confidential, normal, confidentialRuns, normalRuns, burstRuns, idle, peak));
