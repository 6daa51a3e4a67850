using System.Diagnostics;
using System.Diagnostics.Metrics;
using CreAspire.Protocol.Telemetry;

namespace CreAspire.Execution.Engine;

/// <summary>
/// Telemetry of the engine and its triggers (source and meter "CreAspire.Execution"): spans <c>cron.fire</c>,
/// <c>workflow.subscribe</c> and <c>workflow.execute</c>; executions by path and outcome and their trigger → finished
/// latency. An execution's spans use its own trace (<see cref="ExecutionTrace"/>), identical on every node of the DON.
/// </summary>
public static class ExecutionTelemetry
{
    public const string SourceName = "CreAspire.Execution";

    public const string ExecutionsInstrument = "creaspire.workflow.executions";
    public const string ExecutionDurationInstrument = "creaspire.workflow.execution.duration";

    public static ActivitySource Source { get; } = new(SourceName);

    public static Meter Meter { get; } = new(SourceName);

    /// <summary>Finished executions, tagged workflow.path (local, confidential) and outcome (succeeded, failed).</summary>
    public static Counter<long> Executions { get; } = Meter.CreateCounter<long>(ExecutionsInstrument, description: "Workflow executions finished, by path and outcome");

    /// <summary>From the trigger event's delivery to the engine to the execution's recorded finish, tagged like <see cref="Executions"/>.</summary>
    public static Histogram<double> ExecutionDuration { get; } = Meter.CreateHistogram(ExecutionDurationInstrument, unit: "s",
        description: "Workflow execution latency from trigger to finished",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] });

    /// <summary>
    /// Starts a span of execution <paramref name="executionId"/> in the execution's trace: a child of the current activity
    /// when that is already in the trace (workflow.execute under cron.fire), otherwise a root of the trace linked to the
    /// current activity (cron.fire started by a "fire now" HTTP request). Null when nobody listens.
    /// </summary>
    public static Activity? StartExecutionSpan(string name, string executionId, ActivityKind kind = ActivityKind.Internal)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        var current = Activity.Current;
        var traceId = ExecutionTrace.TraceIdOf(executionId);
        if (current is not null && current.TraceId == traceId)
        {
            return Source.StartActivity(name, kind);
        }

        if (current is null)
        {
            return Source.StartActivity(name, kind, ExecutionTrace.RootOf(executionId));
        }

        // A parent context without a span id does not stop Activity from adopting the current activity as parent, so the
        // current one is set aside while the root starts (the caller's async flow gets it back when its method returns).
        ActivityLink[] links = [new ActivityLink(current.Context, new ActivityTagsCollection { [TelemetryTags.LinkRelation] = "started_by" })];
        Activity.Current = null;
        var root = Source.StartActivity(name, kind, ExecutionTrace.RootOf(executionId), links: links);
        if (root is null)
        {
            Activity.Current = current;
        }

        return root;
    }
}
