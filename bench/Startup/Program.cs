// Startup benchmark. Usage:
//   dotnet run --project bench/Startup -c Release -- [--topology default|standin|infra] [--runs 3] [--per-resource true]
//     [--workflow-nodes 4 --workflow-f 1 ...: any CreTopologyOptions switch]
//   default: the AppHost's topology with the real services; standin: the same topology with the Hosting test service in place of
//   every service; infra: postgres (2 databases) + anvil + 2 test services.
using CreAspire.Hosting.Bench;
using Microsoft.Extensions.Configuration;

var configuration = new ConfigurationBuilder().AddCommandLine(args).Build();
var topology = configuration["topology"] ?? "standin";
var runs = int.Parse(configuration["runs"] ?? "3", System.Globalization.CultureInfo.InvariantCulture);
var workflowNodes = int.Parse(configuration["workflow-nodes"] ?? "4", System.Globalization.CultureInfo.InvariantCulture);
var perResource = bool.Parse(configuration["per-resource"] ?? "true");

var results = new List<StartupRun>();
for (var run = 1; run <= runs; run++)
{
    var result = await StartupRun.MeasureAsync(topology, args);
    Console.Error.WriteLine($"run {run}/{runs}: all healthy in {result.AllHealthy.TotalSeconds:0.00} s");
    results.Add(result);
}

Console.WriteLine(StartupReport.ToMarkdown(topology, workflowNodes, perResource, results));
