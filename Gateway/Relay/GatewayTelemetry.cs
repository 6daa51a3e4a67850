using System.Diagnostics;
using System.Diagnostics.Metrics;
using StreamJsonRpc;

namespace CreAspire.Gateway.Relay;

/// <summary>The gateway's meter and activity source ("CreAspire.Gateway"), exported by ServiceDefaults.</summary>
public static class GatewayTelemetry
{
    public const string Name = "CreAspire.Gateway";

    public const string RequestsCompletedInstrument = "creaspire.gateway.relay.requests";

    public static readonly ActivitySource ActivitySource = new(Name);
    public static readonly Meter Meter = new(Name);

    /// <summary>
    /// Completed user requests, tagged by method and outcome: the gateway's quorum outcomes (success and node_error: 2F+1
    /// relays agreed; quorum_unobtainable, expired, forward_failed, cancelled: no quorum).
    /// </summary>
    public static readonly Counter<long> RequestsCompleted = Meter.CreateCounter<long>(RequestsCompletedInstrument, description: "Relay requests completed, by outcome");

    public static readonly Histogram<double> RequestDuration = Meter.CreateHistogram<double>("creaspire.gateway.relay.duration", unit: "ms", description: "Time from receipt to completion");

    public static readonly UpDownCounter<long> ActiveRequests = Meter.CreateUpDownCounter<long>("creaspire.gateway.relay.active", description: "Requests waiting for relay quorum");

    /// <summary>
    /// Trace context over the node WebSocket: StreamJsonRpc's W3C strategy puts traceparent/tracestate at the top level of
    /// each JSON-RPC message (gateway.forward, gateway.respond), beside the relay request or response it carries, and
    /// starts a server span named by the method for each message that has them. The relay response a node sends is an
    /// argument of gateway.respond, so the digest the gateway votes on (canonical JSON of that response) never sees the
    /// per-node trace context; and the message travels inside the node's authenticated connection.
    /// Null when nobody traces the gateway, decided when a connection opens (OpenTelemetry listens from start-up): the
    /// strategy would otherwise start an unrecorded activity for every message that carries a context.
    /// </summary>
    public static IActivityTracingStrategy? NodeTraceContext => ActivitySource.HasListeners() ? TraceContextStrategy : null;

    private static readonly ActivityTracingStrategy TraceContextStrategy = new(ActivitySource);

    /// <summary>The gateway.respond span StreamJsonRpc started for the node message being handled now, if it is recorded.</summary>
    public static Activity? CurrentNodeResponseSpan() =>
        Activity.Current is { } current && current.Source == ActivitySource && current.OperationName == Protocol.Gateway.GatewayConnectorProtocol.NodeResponseMethod ? current : null;

    /// <summary>Node messages dropped, tagged by reason (unknown_node, rate_limited, unknown_request, duplicate).</summary>
    public static readonly Counter<long> NodeMessagesDropped = Meter.CreateCounter<long>("creaspire.gateway.relay.node_messages_dropped", description: "Node responses dropped, by reason");
}
