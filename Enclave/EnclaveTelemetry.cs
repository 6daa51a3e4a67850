using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CreAspire.Enclave;

/// <summary>
/// The enclave's spans and metrics (source and meter "CreAspire.Enclave"): enclave.quorum per compute request,
/// enclave.run per workflow run, enclave.fetch_binary and enclave.relay_call under it; quorum outcomes and run latency.
/// </summary>
public static class EnclaveTelemetry
{
    public const string Name = "CreAspire.Enclave";

    public const string QuorumInstrument = "creaspire.enclave.quorum";
    public const string RunDurationInstrument = "creaspire.enclave.run.duration";

    public static ActivitySource Source { get; } = new(Name);

    public static Meter Meter { get; } = new(Name);

    /// <summary>Compute requests by how their quorum ended (reached, timeout, rejected: bad request or signer).</summary>
    public static Counter<long> QuorumOutcomes { get; } = Meter.CreateCounter<long>(QuorumInstrument, description: "Compute requests by quorum outcome");

    /// <summary>One workflow run (fetch, compile, execute) by outcome (succeeded, failed).</summary>
    public static Histogram<double> RunDuration { get; } = Meter.CreateHistogram(RunDurationInstrument, unit: "s",
        description: "Enclave workflow run latency",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });
}
