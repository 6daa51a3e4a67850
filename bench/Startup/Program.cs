// Startup benchmark. Usage:
//   dotnet run --project bench/Startup -c Release -- [--topology default|standin|infra] [--runs 3] [--per-resource true]
//     [--idle-memory <settle seconds>] [--workflow-nodes 4 --workflow-f 1 ...: any CreTopologyOptions switch]
//   default: the AppHost's topology with the real services; standin: the same topology with the Hosting test service in place of
//   every service; infra: postgres (2 databases) + anvil + 2 test services.
//   --idle-memory N: after each start, wait N seconds and sample resident memory (bench/E2E's MemorySampler) before stopping.
using CreAspire.Hosting.Bench;
using Microsoft.Extensions.Configuration;

var configuration = new ConfigurationBuilder().AddCommandLine(args).Build();
var topology = configuration["topology"] ?? "standin";
var runs = int.Parse(configuration["runs"] ?? "3", System.Globalization.CultureInfo.InvariantCulture);
var workflowNodes = int.Parse(configuration["workflow-nodes"] ?? "4", System.Globalization.CultureInfo.InvariantCulture);
var perResource = bool.Parse(configuration["per-resource"] ?? "true");
TimeSpan? idleMemory = configuration["idle-memory"] is { } settle
    ? TimeSpan.FromSeconds(double.Parse(settle, System.Globalization.CultureInfo.InvariantCulture))
    : null;

var results = new List<StartupRun>();
for (var run = 1; run <= runs; run++)
{
    var result = await StartupRun.MeasureAsync(topology, args, idleMemory);
    Console.Error.WriteLine($"run {run}/{runs}: all healthy in {result.AllHealthy.TotalSeconds:0.00} s"
                            + (result.IdleMemory is { } m ? $", idle resident memory {m.TotalMiB:0} MiB" : ""));
    results.Add(result);
}

Console.WriteLine(StartupReport.ToMarkdown(topology, workflowNodes, perResource, results));
