// Startup benchmark. Usage:
//   dotnet run --project bench/Startup -c Release -- [--runs 1] [--idle-settle 5] [--floor true] [--workflow-nodes 4 --workflow-f 1 ...:
//     any AppHost switch]
// Each run: launches the built AppHost (as `dotnet run` would, without the build) and times launch → the line "All N resources are
// up in X s."; samples idle memory by group; stops it. Then the floor, in the same run: the same executables (postgres, anvil,
// every service) with the same arguments and environment, read from /proc while the AppHost ran, started directly by the bench
// (databases recreated, registries deployed by the same deployer) until each is healthy.
using CreAspire.Startup.Bench;
using Microsoft.Extensions.Configuration;

var configuration = new ConfigurationBuilder().AddCommandLine(args).Build();
var runs = int.Parse(configuration["runs"] ?? "1", System.Globalization.CultureInfo.InvariantCulture);
var settle = TimeSpan.FromSeconds(double.Parse(configuration["idle-settle"] ?? "5", System.Globalization.CultureInfo.InvariantCulture));
var withFloor = !bool.TryParse(configuration["floor"], out var floor) || floor;
var appHostArgs = args.Where((a, i) => !IsBenchSwitch(a) && (i == 0 || !IsBenchSwitch(args[i - 1]))).ToArray();

var results = new List<StartupResult>();
for (var run = 1; run <= runs; run++)
{
    var aspire = await AspireRun.MeasureAsync(appHostArgs, settle);
    Console.Error.WriteLine($"run {run}/{runs}: AppHost all up in {aspire.AllUp.TotalSeconds:0.00} s ({aspire.Resources} resources), idle Pss {aspire.Idle.TotalPssMiB:0} MiB");
    FloorRun? floorRun = null;
    if (withFloor)
    {
        floorRun = await FloorRun.MeasureAsync(aspire, appHostArgs, settle);
        Console.Error.WriteLine($"run {run}/{runs}: floor all healthy in {floorRun.AllHealthy.TotalSeconds:0.00} s, idle Pss {floorRun.Idle.TotalPssMiB:0} MiB");
    }

    results.Add(new StartupResult(aspire, floorRun));
}

Console.WriteLine(StartupReport.ToMarkdown(configuration, results));

static bool IsBenchSwitch(string arg) => arg is "--runs" or "--idle-settle" or "--floor";

internal sealed record StartupResult(AspireRun Aspire, FloorRun? Floor);
