using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CreAspire.Gateway.Relay;

/// <summary>The gateway's meter and activity source ("CreAspire.Gateway"), exported by ServiceDefaults.</summary>
public static class GatewayTelemetry
{
    public const string Name = "CreAspire.Gateway";

    public const string RequestsCompletedInstrument = "creaspire.gateway.relay.requests";

    public static readonly ActivitySource ActivitySource = new(Name);
    public static readonly Meter Meter = new(Name);

    /// <summary>Completed user requests, tagged by method and outcome (success, node_error, quorum_unobtainable, expired, forward_failed, cancelled).</summary>
    public static readonly Counter<long> RequestsCompleted = Meter.CreateCounter<long>(RequestsCompletedInstrument, description: "Relay requests completed, by outcome");

    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>("creaspire.gateway.relay.duration", unit: "ms", description: "Time from receipt to completion");

    public static readonly UpDownCounter<long> ActiveRequests = Meter.CreateUpDownCounter<long>("creaspire.gateway.relay.active", description: "Requests waiting for relay quorum");

    /// <summary>Node messages dropped, tagged by reason (unknown_node, rate_limited, unknown_request, duplicate).</summary>
    public static readonly Counter<long> NodeMessagesDropped = Meter.CreateCounter<long>("creaspire.gateway.relay.node_messages_dropped", description: "Node responses dropped, by reason");
}
