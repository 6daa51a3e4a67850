using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace CreAspire.Telemetry.Testing;

/// <summary>
/// Records the measurements of one meter in this process (a <see cref="MeterListener"/>): sums and counts per instrument
/// and tag set. Like activity listeners, meter listeners are global: tag values the test chose (its own request ids, ...)
/// keep other tests' measurements apart where it matters.
/// </summary>
public sealed class MeterCollector : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> _measurements = new();

    public MeterCollector(string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => _measurements.Enqueue((instrument.Name, value, tags.ToArray())));
        _listener.Start();
    }

    /// <summary>Sum of the measurements of <paramref name="instrument"/> whose tags include every pair in <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Sum(m => m.Value);

    /// <summary>Number of measurements (e.g. histogram recordings) of <paramref name="instrument"/> with those tags.</summary>
    public int Count(string instrument, params (string Key, string Value)[] tags) => Matching(instrument, tags).Count();

    private IEnumerable<(string Instrument, double Value, KeyValuePair<string, object?>[] Tags)> Matching(string instrument, (string Key, string Value)[] tags) =>
        _measurements.Where(m => m.Instrument == instrument
            && tags.All(t => m.Tags.Any(mt => mt.Key == t.Key && string.Equals(Convert.ToString(mt.Value, System.Globalization.CultureInfo.InvariantCulture), t.Value, StringComparison.Ordinal))));

    public void Dispose() => _listener.Dispose();
}
