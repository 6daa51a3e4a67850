using System.Globalization;
using System.Text;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using CreAspire.AppHost.Topology;
using CreAspire.Hosting.Run;
using CreAspire.Telemetry.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CreAspire.E2E.Bench;

/// <summary>
/// Issue 16's overhead figure: the default topology started twice in one run, first with telemetry off (no OpenTelemetry
/// registered in any service, as the tests run), then with every service exporting traces, metrics and logs over OTLP/gRPC
/// to a receiver in this process that decodes and keeps every span (the dashboard's stand-in; the testing builder starts no
/// dashboard), with the intervals the AppHost gives the dashboard exporters (1 s). Each topology runs the same interleaved
/// confidential and normal executions; the table gives trigger → finished p50/p99 per path and mode and the p50 overhead.
/// </summary>
internal static class TracingOverhead
{
    public static async Task<string> RunAsync(int executions, string normalSample, CancellationToken cancellationToken)
    {
        var off = await MeasureAsync(exported: false, executions, normalSample, cancellationToken);
        var on = await MeasureAsync(exported: true, executions, normalSample, cancellationToken);
        var text = new StringBuilder();
        text.AppendLine(Invariant($"Tracing overhead on the default topology, {executions} sequential executions per path and mode, {Environment.ProcessorCount} cores; telemetry off, then exported ({on.Spans} spans received)."));
        text.AppendLine();
        text.AppendLine("| metric | off | exported | overhead | target |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var path in new[] { "confidential", "normal" })
        {
            var a = off.Runs[path];
            var b = on.Runs[path];
            foreach (var percentile in new[] { 50, 99 })
            {
                var x = Percentile(a, percentile);
                var y = Percentile(b, percentile);
                text.AppendLine(Invariant($"| tracing {path}: trigger → finished p{percentile} | {x:0.0} ms | {y:0.0} ms | {(y - x) / x * 100:+0;-0} % | {(percentile == 50 ? "≤ +10 %" : "")} |"));
            }
        }

        return text.ToString();
    }

    private static async Task<(Dictionary<string, List<double>> Runs, int Spans)> MeasureAsync(
        bool exported, int executions, string normalSample, CancellationToken cancellationToken)
    {
        var artifacts = Directory.CreateTempSubdirectory("creaspire-bench-tracing-").FullName;
        await using var receiver = exported ? await OtlpReceiver.StartAsync() : null;
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.CreAspire_AppHost>(
            ["--artifacts", artifacts, "--telemetry", exported ? "true" : "false"], cancellationToken);
        if (receiver is not null)
        {
            foreach (var service in builder.Resources.OfType<ServiceExecutableResource>())
            {
                service.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
                {
                    foreach (var (key, value) in receiver.GrpcExporterEnvironment(service.Name))
                    {
                        context.EnvironmentVariables[key] = value;
                    }

                    // What the AppHost sets for the dashboard, not the receiver's test-speed 100 ms.
                    context.EnvironmentVariables["OTEL_BSP_SCHEDULE_DELAY"] = "1000";
                    context.EnvironmentVariables["OTEL_BLRP_SCHEDULE_DELAY"] = "1000";
                    context.EnvironmentVariables["OTEL_METRIC_EXPORT_INTERVAL"] = "1000";
                }));
            }
        }

        builder.Services.AddSingleton(new StartupReporterOptions { StopOnFailure = false, StartedAt = DateTime.UtcNow, Timeout = TimeSpan.FromMinutes(5) });
        try
        {
            await using var app = await builder.BuildAsync(cancellationToken);
            var reporter = app.Services.GetRequiredService<StartupReporter>();
            _ = app.StartAsync(cancellationToken);
            var outcome = await reporter.Outcome.WaitAsync(TimeSpan.FromMinutes(6), cancellationToken);
            if (!outcome.Succeeded)
            {
                throw new InvalidOperationException(outcome.Message);
            }

            var model = app.Services.GetRequiredService<DistributedApplicationModel>();
            var contracts = model.Resources.OfType<SetupStepResource>().Single(r => r.Name == "contracts");
            var options = CreTopologyOptions.FromConfiguration(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
            var cluster = new WorkflowCluster(new TopologyEndpoints(
                (await app.GetConnectionStringAsync("anvil", cancellationToken))!, contracts.GetOutput(ContractsOutputs.WorkflowRegistry), artifacts,
                app.GetEndpoint("artifacts", "http"),
                Enumerable.Range(0, options.WorkflowNodes).Select(i => app.GetEndpoint($"wf-{i}", "http")).ToList(),
                Enumerable.Range(0, options.CapabilityNodes).Select(i => app.GetEndpoint($"cap-{i}", "http")).ToList()));
            var confidential = await cluster.DeployAndFirstExecutionAsync("confidential-mock", confidential: true, cancellationToken);
            var normal = await cluster.DeployAndFirstExecutionAsync(normalSample, confidential: false, cancellationToken);
            var runs = new Dictionary<string, List<double>> { ["confidential"] = [], ["normal"] = [] };
            for (var i = 1; i <= executions; i++)
            {
                runs["confidential"].Add((await cluster.FireAndWaitAsync(confidential.Workflow, i, cancellationToken)).TriggerToFinished.TotalMilliseconds);
                runs["normal"].Add((await cluster.FireAndWaitAsync(normal.Workflow, i, cancellationToken)).TriggerToFinished.TotalMilliseconds);
            }

            Console.Error.WriteLine(Invariant($"telemetry {(exported ? "exported" : "off")}: confidential p50 {Percentile(runs["confidential"], 50):0.0} ms, normal p50 {Percentile(runs["normal"], 50):0.0} ms"));
            return (runs, receiver?.Spans.Count ?? 0);
        }
        finally
        {
            try
            {
                Directory.Delete(artifacts, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    private static double Percentile(List<double> values, int percentile)
    {
        var sorted = values.Order().ToList();
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Count) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Count - 1)];
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
