using System.Diagnostics;
using System.Globalization;
using CreAspire.Attestation;
using CreAspire.Attestation.Nitro;
using CreAspire.Attestation.Testing;

// Usage: dotnet run -c Release --project bench/Attestation.Bench [samples] [operationsPerSample]
var samples = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 15;
var perSample = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;

using var identity = FakeNitroIdentity.Create();
var verifier = NitroAttestationVerifier.FromPem(identity.CaRootsPem, identity.TrustedPcrsJson);
var userData = DomainHash.Compute("ConfidentialSecretsGet", "{\"workflow_id\":\"00ab\"}"u8);
var document = identity.Attest(userData);

// The relay's verifier keeps the chains it built (VerifiedChainCache); the uncached row is what every document cost before.
var uncached = new NitroAttestationVerifier(new NitroVerifierOptions
{
    CaRoots = [identity.Root],
    TrustedPcrs = [identity.TrustedPcrs],
    ChainCacheCapacity = 0,
});

var rows = new (string Metric, Action Operation, double TargetMs)[]
{
    ("attest (fake NSM, ES384 sign), ms/op", () => identity.Attest(userData), 5),
    ("verify (COSE + chain + PCRs), ms/op", () => verifier.Verify(document, userData), 10),
    ("verify, chain built every time (cache off), ms/op", () => uncached.Verify(document, userData), 10),
};

Console.WriteLine("| metric | min | median | max | target |");
Console.WriteLine("|---|---|---|---|---|");
foreach (var (metric, operation, target) in rows)
{
    operation(); // warm-up
    var perOp = new List<double>();
    for (var s = 0; s < samples; s++)
    {
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < perSample; i++)
        {
            operation();
        }

        perOp.Add(watch.Elapsed.TotalMilliseconds / perSample);
    }

    perOp.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {metric} | {perOp[0]:F3} | {perOp[perOp.Count / 2]:F3} | {perOp[^1]:F3} | < {target} |"));
}
