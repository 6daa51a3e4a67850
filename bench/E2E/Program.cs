// End-to-end benchmark on the default topology (27 resources, real services), started through the testing builder.
// Usage: dotnet run -c Release --project bench/E2E -- [--executions 50] [--burst 20] [--idle-settle 5] [--normal-sample hello-cron] [--trace false] [--path-probe true]
//   [--jit-profiles true] [--service-env "K=V;..."] [--jit-log DIR]
//   --trace true: the services export their spans over OTLP to a receiver in this process, and a second table breaks
//   the confidential executions down by hop (span); exporting costs time in every service, so compare traced runs with
//   traced runs only.
//   1. starts the topology (registries deployed by the contracts step), samples resident memory at idle;
//   2. deploys confidential-mock with attributes {"confidential":true,...} (runs in the enclave, calls mock@1.0.0 through the
//      gateway and relay DON) and --normal-sample (default hello-cron: no attributes, runs on the workflow nodes and calls
//      mock@1.0.0 from the workflow DON; confidential-mock as a normal workflow also reads MOCK_SECRET through vault@1.0.0);
//      registration → first succeeded execution = from the upsert receipt, wait until active on every workflow node, fire now;
//   3. fires each workflow --executions times, one at a time, on every workflow node with the same scheduled time;
//      trigger → mock receipt and trigger → finished per execution; p50/p99 per path and the confidential/normal ratio;
//   4. fires --burst executions of each path at once and samples resident memory while they run ("under load").
// With --tracing-overhead true it instead measures issue 16's tracing overhead (TracingOverhead.cs): two topologies in one
// run, telemetry off then exported, the same executions on each.
using System.Diagnostics;
using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using CreAspire.AppHost.Topology;
using CreAspire.Bench;
using CreAspire.E2E.Bench;
using CreAspire.Hosting.Run;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

var configuration = new ConfigurationBuilder().AddCommandLine(args).Build();
var executions = int.Parse(configuration["executions"] ?? "50", CultureInfo.InvariantCulture);
var burst = int.Parse(configuration["burst"] ?? "20", CultureInfo.InvariantCulture);
var normalSample = configuration["normal-sample"] ?? "hello-cron";
var trace = bool.Parse(configuration["trace"] ?? "false");
var idleSettle = TimeSpan.FromSeconds(double.Parse(configuration["idle-settle"] ?? "5", CultureInfo.InvariantCulture));
using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(10));
var ct = deadline.Token;
if (bool.TryParse(configuration["tracing-overhead"], out var tracingOverhead) && tracingOverhead)
{
    using var tracingDeadline = new CancellationTokenSource(TimeSpan.FromMinutes(25)); // two topologies, one after the other
    Console.WriteLine(await TracingOverhead.RunAsync(executions, normalSample, tracingDeadline.Token));
    return;
}

// The real AppHost in this process (as the E2E tests run it); telemetry off: the testing builder runs no dashboard.
var artifacts = Directory.CreateTempSubdirectory("creaspire-bench-e2e-artifacts-").FullName;
var clock = Stopwatch.StartNew();
await using var receiver = trace ? await CreAspire.Telemetry.Testing.OtlpReceiver.StartAsync() : null;
var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.CreAspire_AppHost>(
    ["--artifacts", artifacts, "--telemetry", trace ? "true" : "false", "--path-probe", configuration["path-probe"] ?? "true",
     "--jit-profiles", configuration["jit-profiles"] ?? "true"], ct);
if (receiver is not null)
{
    // Where Aspire's WithOtlpExporter points the services (OTLP/gRPC, its default protocol).
    builder.Configuration["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = receiver.GrpcEndpoint.ToString();
}
// Environment for every service process: --jit-log DIR (each service appends the methods it JIT-compiles to
// DIR/<service>-<pid>.txt, ServiceDefaults' JitLog) and --service-env "K=V;K2=V2" (e.g. runtime knobs to compare).
var serviceEnvironment = (configuration["service-env"] ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
    .Select(pair => pair.Split('=', 2)).ToDictionary(pair => pair[0], pair => pair.Length == 2 ? pair[1] : "", StringComparer.Ordinal);
if (configuration["jit-log"] is { Length: > 0 } jitLog)
{
    serviceEnvironment["CREASPIRE_JIT_LOG"] = Path.GetFullPath(jitLog);
}

foreach (var service in builder.Resources.OfType<ServiceExecutableResource>().ToList())
{
    foreach (var (key, value) in serviceEnvironment)
    {
        builder.CreateResourceBuilder(service).WithEnvironment(key, value);
    }
}

builder.Services.AddSingleton(new StartupReporterOptions { StopOnFailure = false, StartedAt = DateTime.UtcNow, Timeout = TimeSpan.FromMinutes(5) });
await using var app = await builder.BuildAsync(ct);
var reporter = app.Services.GetRequiredService<StartupReporter>();
_ = app.StartAsync(ct);
var outcome = await reporter.Outcome.WaitAsync(TimeSpan.FromMinutes(6), ct);
if (!outcome.Succeeded)
{
    throw new InvalidOperationException(outcome.Message);
}

var startup = clock.Elapsed;
Console.Error.WriteLine($"default topology ({outcome.Resources} resources) healthy in {startup.TotalSeconds:0.00} s");
var model = app.Services.GetRequiredService<DistributedApplicationModel>();
var contracts = model.Resources.OfType<SetupStepResource>().Single(r => r.Name == "contracts");
var options = CreTopologyOptions.FromConfiguration(configuration);
var cluster = new WorkflowCluster(new TopologyEndpoints(
    (await app.GetConnectionStringAsync("anvil", ct))!, contracts.GetOutput(ContractsOutputs.WorkflowRegistry), artifacts, app.GetEndpoint("artifacts", "http"),
    Enumerable.Range(0, options.WorkflowNodes).Select(i => app.GetEndpoint($"wf-{i}", "http")).ToList(),
    Enumerable.Range(0, options.CapabilityNodes).Select(i => app.GetEndpoint($"cap-{i}", "http")).ToList()));


await Task.Delay(idleSettle, ct); // let the freshly started processes finish their start-up work before "idle"
var idle = TopologyMemory.Sample(Environment.ProcessId);
Console.Error.WriteLine($"idle resident memory: {idle.TotalMiB:0} MiB over {idle.PerResource.Count} resources");

var jitAtIdle = receiver is null ? null : JitTotals(receiver);
var confidential = await cluster.DeployAndFirstExecutionAsync("confidential-mock", confidential: true, ct);
Console.Error.WriteLine($"confidential workflow {confidential.Workflow.WorkflowId}: first execution {confidential.RegistrationToFirstExecution.TotalMilliseconds:0} ms after the receipt");
if (receiver is not null && jitAtIdle is not null)
{
    // JIT work the first confidential deploy + execution cost each service (runtime metrics, exported every second).
    await Task.Delay(TimeSpan.FromSeconds(2.5), ct);
    foreach (var (service, (methods, time)) in JitTotals(receiver).OrderBy(p => p.Key, StringComparer.Ordinal))
    {
        var before = jitAtIdle.GetValueOrDefault(service);
        Console.Error.WriteLine($"jit during the first confidential deploy + execution: {service}: {methods - before.Methods:0} methods, {(time - before.Time) * 1000:0} ms");
    }
}
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

// CPU per execution, per path: every process of the topology (the bench's own polling included under AppHost), over
// a run of one path alone, executions one at a time.
var cpuRuns = Math.Min(executions, 20);
var cpu = new Dictionary<string, (double Total, IReadOnlyDictionary<string, double> PerResource)>();
foreach (var (path, workflow) in new[] { ("confidential", confidential.Workflow), ("normal", normal.Workflow) })
{
    var before = TopologyMemory.Sample(Environment.ProcessId).CpuPerResource;
    for (var i = 1; i <= cpuRuns; i++)
    {
        await cluster.FireAndWaitAsync(workflow, 1000 + (path == "normal" ? 100 : 0) + i, ct);
    }

    var after = TopologyMemory.Sample(Environment.ProcessId).CpuPerResource;
    var perResource = after.ToDictionary(p => p.Key, p => (p.Value - before.GetValueOrDefault(p.Key)) * 1000 / cpuRuns);
    cpu[path] = (perResource.Values.Sum(), perResource);
    Console.Error.WriteLine($"cpu per {path} execution ({cpuRuns} alone): {perResource.Values.Sum():0} ms: " +
        string.Join(", ", perResource.Where(p => p.Value >= 0.5).OrderByDescending(p => p.Value).Select(p => $"{p.Key} {p.Value:0.0}")));
}

// Under load: a burst of concurrent executions on both paths, memory sampled until they are all finished. A failed
// execution (e.g. the enclave refusing work at capacity) is counted, not fatal: the burst measures what the topology does.
var peak = TopologyMemory.Sample(Environment.ProcessId);
var load = Task.WhenAll(Enumerable.Range(executions + 1, burst).SelectMany(i => new[]
{
    cluster.TryFireAndWaitAsync(confidential.Workflow, "confidential", i, ct),
    cluster.TryFireAndWaitAsync(normal.Workflow, "normal", i, ct),
}));
while (!load.IsCompleted)
{
    var sample = TopologyMemory.Sample(Environment.ProcessId);
    peak = sample.TotalMiB > peak.TotalMiB ? sample : peak;
    await Task.WhenAny(load, Task.Delay(250, ct));
}

var burstRuns = await load;
foreach (var failure in burstRuns.Where(r => r.Error is not null).GroupBy(r => r.Error).Take(3))
{
    Console.Error.WriteLine($"burst failures ({failure.Count()}): {failure.Key}");
}

Console.Error.WriteLine($"burst: {burstRuns.Length} executions, {burstRuns.Count(r => r.Error is null)} succeeded, peak resident memory {peak.TotalMiB:0} MiB");

Console.WriteLine(E2EReport.ToMarkdown(startup, confidential, normal, confidentialRuns, normalRuns, burstRuns, idle, peak, cpu));
if (receiver is not null)
{
    await TraceBreakdown.WaitForExportsAsync(receiver, confidentialRuns[^1].ExecutionId, ct);
    Console.WriteLine();
    Console.WriteLine(TraceBreakdown.ToMarkdown(receiver.Spans, confidential.FirstExecutionId, confidentialRuns.Select(r => r.ExecutionId).ToList()));
    var firstTraceId = CreAspire.Telemetry.Testing.ExecutionTraces.TraceIdOf(confidential.FirstExecutionId);
    Console.Error.WriteLine($"first confidential execution {confidential.FirstExecutionId}, every span:");
    Console.Error.WriteLine(CreAspire.Telemetry.Testing.TraceTree.Render(receiver.Spans.Where(s => s.TraceId == firstTraceId)));
    // What activation (registration → active) spends: every trace holding a workflow.activate span, both workflows.
    var activationTraces = receiver.Spans.Where(s => s.Name == "workflow.activate").Select(s => s.TraceId).ToHashSet(StringComparer.Ordinal);
    Console.Error.WriteLine($"activation traces ({activationTraces.Count}):");
    Console.Error.WriteLine(CreAspire.Telemetry.Testing.TraceTree.Render(receiver.Spans.Where(s => activationTraces.Contains(s.TraceId))));
}

// Per service, the latest exported JIT totals (compiled methods, compilation time in seconds) from the runtime metrics.
static Dictionary<string, (double Methods, double Time)> JitTotals(CreAspire.Telemetry.Testing.OtlpReceiver receiver)
{
    var totals = new Dictionary<string, (double Methods, double Time)>(StringComparer.Ordinal);
    foreach (var metric in receiver.Metrics.Where(m => m.Name.Contains("jit", StringComparison.OrdinalIgnoreCase)))
    {
        var value = metric.Points.Sum(p => p.Value);
        var current = totals.GetValueOrDefault(metric.Service);
        totals[metric.Service] = metric.Name.Contains("time", StringComparison.OrdinalIgnoreCase)
            ? (current.Methods, metric.Unit == "ns" ? value / 1e9 : value)
            : metric.Name.Contains("method", StringComparison.OrdinalIgnoreCase) ? (value, current.Time) : current;
    }

    return totals;
}
