// Deployment + registration of the default topology (3 DONs × 4 nodes) on Anvil, one fresh chain per run.
// Usage: dotnet run -c Release --project bench/Chain [-- runs]   (default 5 measured runs after one cold run)
using System.Diagnostics;
using System.Globalization;
using CreAspire.Chain.Deployment;
using CreAspire.Chain.Testing;

var runs = args.Length > 0 && int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 5;
var spec = TopologySpec.CreateDefault();
using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));

var cold = await TimeOneDeploymentAsync(spec, timeout.Token);
var samples = new List<double>();
for (var i = 0; i < runs; i++)
{
    samples.Add(await TimeOneDeploymentAsync(spec, timeout.Token));
}

samples.Sort();
var median = samples.Count % 2 == 1 ? samples[samples.Count / 2] : (samples[samples.Count / 2 - 1] + samples[samples.Count / 2]) / 2;
Console.WriteLine($"Deployment + registration of the default topology ({spec.Dons.Count} DONs, {spec.Dons.Sum(d => d.Members.Count)} nodes), {runs} runs on a fresh Anvil each:");
Console.WriteLine();
Console.WriteLine("| metric | min | median | max | target |");
Console.WriteLine("|---|---|---|---|---|");
Console.WriteLine(FormattableString.Invariant($"| deploy + register (warm) | {samples[0]:0.0} ms | {median:0.0} ms | {samples[^1]:0.0} ms | ≤ 150 ms |"));
Console.WriteLine(FormattableString.Invariant($"| deploy + register (cold, first call in process) | {cold:0.0} ms | {cold:0.0} ms | {cold:0.0} ms | ≤ 1000 ms |"));
return samples[^1] <= 1000 && cold <= 1000 ? 0 : 1;

static async Task<double> TimeOneDeploymentAsync(TopologySpec spec, CancellationToken cancellationToken)
{
    await using var anvil = await AnvilProcess.StartAsync(cancellationToken);
    var stopwatch = Stopwatch.StartNew();
    var deployed = await RegistryDeployer.DeployAsync(anvil.RpcUrl, spec, cancellationToken);
    stopwatch.Stop();
    if (deployed.DonIds.Count != spec.Dons.Count)
    {
        throw new InvalidOperationException($"Expected {spec.Dons.Count} DONs, got {deployed.DonIds.Count}.");
    }

    return stopwatch.Elapsed.TotalMilliseconds;
}
