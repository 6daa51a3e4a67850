using System.Diagnostics;
using System.Diagnostics.Metrics;
using StreamJsonRpc;

namespace CreAspire.RelayNode.Relay;

/// <summary>
/// The relay node's spans and metrics (source and meter "CreAspire.RelayNode"): gateway.forward (StreamJsonRpc's server
/// span of each forwarded request, parent: the gateway's gateway.relay), relay.handle and relay.verify_attestation under
/// it; attestation verifications by outcome.
/// </summary>
public static class RelayTelemetry
{
    public const string Name = "CreAspire.RelayNode";

    public const string AttestationVerificationsInstrument = "creaspire.relay.attestation.verifications";

    public static ActivitySource Source { get; } = new(Name);

    public static Meter Meter { get; } = new(Name);

    /// <summary>Attestation checks, tagged outcome (verified, rejected) and, when rejected, failure (the failed check).</summary>
    public static Counter<long> AttestationVerifications { get; } = Meter.CreateCounter<long>(AttestationVerificationsInstrument, description: "Enclave attestation verifications by outcome");

    /// <summary>
    /// Trace context over the gateway connection, the gateway's counterpart (see the gateway's GatewayTelemetry): the
    /// context rides at the top level of each JSON-RPC message, beside the relay request or response, inside the
    /// authenticated connection; the response the gateway votes on is an argument and never includes it. Null when nobody
    /// traces the relay, decided when a session opens: the strategy would otherwise start an unrecorded activity per message.
    /// </summary>
    public static IActivityTracingStrategy? GatewayTraceContext => Source.HasListeners() ? TraceContextStrategy : null;

    private static readonly ActivityTracingStrategy TraceContextStrategy = new(Source);
}
