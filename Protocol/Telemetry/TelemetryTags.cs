namespace CreAspire.Protocol.Telemetry;

/// <summary>
/// Attribute names shared by the spans and metrics of every component, so one query (e.g. workflow.execution_id = ...)
/// finds the work of an execution on every node.
/// </summary>
public static class TelemetryTags
{
    public const string WorkflowId = "workflow.id";
    public const string WorkflowName = "workflow.name";
    public const string ExecutionId = "workflow.execution_id";
    public const string TriggerId = "workflow.trigger_id";
    public const string TriggerEventId = "workflow.trigger_event_id";

    /// <summary>"confidential" (delegated to the enclave) or "local" (WASM on the workflow node).</summary>
    public const string ExecutionPath = "workflow.path";

    /// <summary>The result of the operation the span or measurement describes (values per instrument: succeeded, failed, ...).</summary>
    public const string Outcome = "outcome";

    public const string RpcMethod = "rpc.method";
    public const string RequestId = "rpc.request_id";

    public const string DonId = "don.id";
    public const string DonF = "don.f";
    public const string DonMembers = "don.members";
    public const string CallerDonId = "don.caller_id";

    /// <summary>The node doing the work (its address); <see cref="NodeName"/> where the node knows its name.</summary>
    public const string NodeAddress = "node.address";
    public const string NodeName = "node.name";

    /// <summary>The node at the other end of a call (the one sent to, or the one a request came from).</summary>
    public const string PeerAddress = "peer.address";

    public const string CapabilityId = "capability.id";
    public const string CapabilityMethod = "capability.method";

    public const string QuorumRequired = "quorum.required";
    public const string QuorumReceived = "quorum.received";

    /// <summary>reached, or why not: timeout, unobtainable, cancelled.</summary>
    public const string QuorumOutcome = "quorum.outcome";

    /// <summary>What this request did in its group: "started" (it completed the quorum and ran the work) or "joined".</summary>
    public const string QuorumRole = "quorum.role";

    /// <summary>On an <see cref="System.Diagnostics.ActivityLink"/>: how the linked span relates (e.g. "quorum_member", "executed_by").</summary>
    public const string LinkRelation = "creaspire.link";
}
