// Deployment + registration of the default topology (3 DONs × 4 nodes) on Anvil, one fresh chain per run; then EIP-191
// signing and recovery through PersonalMessages and the Nethereum alternatives.
// Usage: dotnet run -c Release --project bench/Chain [-- runs]   (default 5 measured runs per variant after one cold run)
using System.Diagnostics;
using System.Globalization;
using CreAspire.Chain.Bench;
using CreAspire.Chain.Contracts;
using CreAspire.Chain.Deployment;
using CreAspire.Chain.Testing;

var runs = args.Length > 0 && int.TryParse(args[0], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : 5;
var spec = TopologySpec.CreateDefault();
using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));

var shipped = new DeploymentOptions();
var nethereumDefault = new DeploymentOptions { ReceiptPollInterval = ChainClients.NethereumReceiptPollInterval };
var cold = await TimeOneDeploymentAsync(spec, shipped, timeout.Token);

// The variants alternate run by run, so machine noise falls on each alike.
var variants = new (string Metric, DeploymentOptions Options)[]
{
    ("deploy + register (warm)", shipped),
    ($"deploy + register (warm), receipts polled every {ChainClients.NethereumReceiptPollInterval.TotalMilliseconds:0} ms (Nethereum's default)", nethereumDefault),
};
var samples = variants.Select(_ => new List<double>()).ToArray();
for (var i = 0; i < runs; i++)
{
    for (var v = 0; v < variants.Length; v++)
    {
        samples[v].Add(await TimeOneDeploymentAsync(spec, variants[v].Options, timeout.Token));
    }
}

Console.WriteLine($"Deployment + registration of the default topology ({spec.Dons.Count} DONs, {spec.Dons.Sum(d => d.Members.Count)} nodes), {runs} runs per variant on a fresh Anvil each:");
Console.WriteLine($"(receipts polled every {ChainClients.DefaultReceiptPollInterval.TotalMilliseconds:0} ms by Nethereum's polling service unless the row says otherwise)");
Console.WriteLine();
Console.WriteLine("| metric | min | median | max | target |");
Console.WriteLine("|---|---|---|---|---|");
for (var v = 0; v < variants.Length; v++)
{
    var sorted = samples[v].Order().ToList();
    Console.WriteLine(FormattableString.Invariant($"| {variants[v].Metric} | {sorted[0]:0.0} ms | {Median(sorted):0.0} ms | {sorted[^1]:0.0} ms | {(v == 0 ? "≤ 150 ms" : "(informational)")} |"));
}

Console.WriteLine(FormattableString.Invariant($"| deploy + register (cold, first call in process) | {cold:0.0} ms | {cold:0.0} ms | {cold:0.0} ms | ≤ 1000 ms |"));
foreach (var row in SigningBench.Rows(samples: 21, operationsPerSample: 100))
{
    Console.WriteLine(row);
}

return samples[0].Max() <= 1000 && cold <= 1000 ? 0 : 1;

static double Median(IReadOnlyList<double> sorted) =>
    sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;

static async Task<double> TimeOneDeploymentAsync(TopologySpec spec, DeploymentOptions options, CancellationToken cancellationToken)
{
    await using var anvil = await AnvilProcess.StartAsync(cancellationToken);
    var stopwatch = Stopwatch.StartNew();
    var deployed = await RegistryDeployer.DeployAsync(anvil.RpcUrl, spec, options, cancellationToken);
    stopwatch.Stop();
    if (deployed.DonIds.Count != spec.Dons.Count)
    {
        throw new InvalidOperationException($"Expected {spec.Dons.Count} DONs, got {deployed.DonIds.Count}.");
    }

    return stopwatch.Elapsed.TotalMilliseconds;
}
