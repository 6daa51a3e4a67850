using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using CreAspire.Execution.Bench;

// Usage: dotnet run -c Release --project bench/Execution [-- --smoke]   (--smoke: fewer iterations, to keep it from rotting)
var smoke = args.Contains("--smoke");

// A short in-process job (the machine is shared): a few iterations, enough for min / median / max.
var config = ManualConfig.CreateMinimumViable()
    .AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance).WithWarmupCount(smoke ? 1 : 2).WithIterationCount(smoke ? 3 : 5).WithId("short"))
    .WithOptions(ConfigOptions.DisableOptimizationsValidator)
    .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "creaspire-bench-execution"));
var summary = BenchmarkRunner.Run<ExecutionBenchmarks>(config);

string Ms(double ns) => (ns / 1e6).ToString("0.000", CultureInfo.InvariantCulture) + " ms";
Console.WriteLine();
Console.WriteLine("| metric | min | median | max | target |");
Console.WriteLine("|---|---|---|---|---|");
foreach (var report in summary.Reports)
{
    var stats = report.ResultStatistics;
    if (stats is null)
    {
        Console.WriteLine($"| {report.BenchmarkCase.Descriptor.WorkloadMethod.Name} | failed | | | |");
        continue;
    }

    var name = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
    if (name == nameof(ExecutionBenchmarks.Warm))
    {
        Console.WriteLine($"| warm instantiate+execute hello-cron | {Ms(stats.Min)} | {Ms(stats.Median)} | {Ms(stats.Max)} | p50 ≤ 2 ms |");
        string PerSecond(double ns) => (1e9 / ns).ToString("0", CultureInfo.InvariantCulture);
        Console.WriteLine($"| executions/s on one core (sequential) | {PerSecond(stats.Max)} | {PerSecond(stats.Median)} | {PerSecond(stats.Min)} | (informational) |");
    }
    else
    {
        Console.WriteLine($"| cold compile hello-cron ({new FileInfo(ExecutionBenchmarks.WorkflowPath).Length} bytes) | {Ms(stats.Min)} | {Ms(stats.Median)} | {Ms(stats.Max)} | (informational) |");
    }
}
