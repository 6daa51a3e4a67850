using System.Collections.Concurrent;
using System.Diagnostics;

namespace CreAspire.Telemetry.Testing;

/// <summary>
/// Records the spans this test process's components emit, as a service with OpenTelemetry wired would: an
/// <see cref="ActivityListener"/> on the CreAspire.* sources and on ASP.NET Core and HttpClient (the plain HTTP hops; as
/// in a service, ASP.NET Core only reads an incoming traceparent when someone listens to it), sampled parent-based: roots
/// and children of recorded parents are recorded. Listeners are global: filter by a trace id the test started
/// (<see cref="Trace"/>), because tests running at the same time add their spans too.
/// </summary>
public sealed class ActivityCollector : IDisposable
{
    private readonly ConcurrentQueue<CollectedSpan> _spans = new();
    private readonly ActivityListener _listener;

    public ActivityCollector()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name.StartsWith("CreAspire.", StringComparison.Ordinal)
                || source.Name is "Microsoft.AspNetCore" or "System.Net.Http",
            Sample = static (ref ActivityCreationOptions<ActivityContext> options) =>
                options.Parent == default || options.Parent.TraceFlags.HasFlag(ActivityTraceFlags.Recorded)
                    ? ActivitySamplingResult.AllDataAndRecorded
                    : ActivitySamplingResult.PropagationData,
            ActivityStopped = activity =>
            {
                if (activity.Recorded)
                {
                    _spans.Enqueue(CollectedSpan.From(activity));
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Every span finished since the collector started.</summary>
    public IReadOnlyList<CollectedSpan> Spans => [.. _spans];

    /// <summary>The finished spans of one trace.</summary>
    public IReadOnlyList<CollectedSpan> Trace(ActivityTraceId traceId) => Trace(traceId.ToHexString());

    /// <inheritdoc cref="Trace(ActivityTraceId)"/>
    public IReadOnlyList<CollectedSpan> Trace(string traceId) => _spans.Where(s => s.TraceId == traceId).ToArray();

    /// <summary>Waits until <paramref name="condition"/> holds for the trace's spans; fails with what was collected.</summary>
    public Task<IReadOnlyList<CollectedSpan>> WaitForTraceAsync(ActivityTraceId traceId, Func<IReadOnlyList<CollectedSpan>, bool> condition, string what, TimeSpan? timeout = null) =>
        SpanWait.UntilAsync(() => Trace(traceId), condition, what, timeout);

    public void Dispose() => _listener.Dispose();
}

/// <summary>Polls collected spans until a condition holds, with a deadline; the failure lists what did arrive.</summary>
public static class SpanWait
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

    public static async Task<IReadOnlyList<CollectedSpan>> UntilAsync(Func<IReadOnlyList<CollectedSpan>> spans, Func<IReadOnlyList<CollectedSpan>, bool> condition, string what, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(spans);
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var delay = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            var current = spans();
            if (condition(current))
            {
                return current;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"{what}: not seen within {(timeout ?? DefaultTimeout).TotalSeconds:0.#} s. Collected {current.Count} span(s):\n{TraceTree.Render(current)}");
            }

            await Task.Delay(delay).ConfigureAwait(false);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 200));
        }
    }
}
