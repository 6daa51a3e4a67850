using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CreAspire.Gateway.Relay;

namespace CreAspire.Gateway.Bench;

/// <summary>
/// The gateway's own counters during the run (relay requests by outcome, node messages dropped by reason), so a
/// request the client saw fail can be traced to what the gateway decided.
/// </summary>
internal sealed class GatewayCounters : IDisposable
{
    private const string DroppedInstrument = "creaspire.gateway.relay.node_messages_dropped";

    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _counts = new(StringComparer.Ordinal);

    public GatewayCounters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == GatewayTelemetry.Name && instrument.Name is GatewayTelemetry.RequestsCompletedInstrument or DroppedInstrument)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var label = instrument.Name == DroppedInstrument ? "node messages dropped" : "requests";
            foreach (var tag in tags)
            {
                if (tag.Key is "outcome" or "reason")
                {
                    label += $" {tag.Key}={tag.Value}";
                }
            }

            _counts.AddOrUpdate(label, value, (_, total) => total + value);
        });
        _listener.Start();
    }

    public IReadOnlyList<string> Describe() =>
        [.. _counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}: {c.Value}")];

    public void Dispose() => _listener.Dispose();
}
