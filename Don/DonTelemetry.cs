using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CreAspire.Don;

/// <summary>
/// Spans and metrics of the remote-capability protocol (source and meter "CreAspire.Don"). Caller side: don.call
/// &lt;capability&gt; with one don.request per member of the capability DON. Capability node side: don.serve &lt;capability&gt;
/// per arriving request and one capability.execute &lt;capability&gt; per quorum (child of the request that completed it,
/// linked to the others). Metrics: call latency by outcome, executions by outcome.
/// </summary>
public static class DonTelemetry
{
    public const string Name = "CreAspire.Don";

    public const string CallDurationInstrument = "creaspire.don.call.duration";
    public const string ExecutionsInstrument = "creaspire.don.capability.executions";

    public static ActivitySource Source { get; } = new(Name);

    public static Meter Meter { get; } = new(Name);

    /// <summary>
    /// A remote capability call from its start to the F+1-th identical answer (or the failure), tagged capability.id and
    /// outcome (reached, unobtainable, timeout, cancelled).
    /// </summary>
    public static Histogram<double> CallDuration { get; } = Meter.CreateHistogram(CallDurationInstrument, unit: "s",
        description: "Remote capability call latency (caller side, until F+1 identical answers)",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });

    /// <summary>Capability executions on a capability node, tagged capability.id and outcome (succeeded, error, failed, timeout, quorum_not_reached).</summary>
    public static Counter<long> Executions { get; } = Meter.CreateCounter<long>(ExecutionsInstrument, description: "Capability executions served to other DONs, by outcome");
}
