using Google.Protobuf.WellKnownTypes;

namespace CreAspire.Protocol.Capabilities;

/// <summary>Who a capability request is for (the original's capabilities.RequestMetadata, the fields CreAspire uses).</summary>
public sealed record CapabilityRequestMetadata
{
    public string WorkflowId { get; init; } = "";
    public string WorkflowOwner { get; init; } = "";
    public string WorkflowName { get; init; } = "";
    public string WorkflowTag { get; init; } = "";
    public string WorkflowExecutionId { get; init; } = "";

    /// <summary>Distinguishes calls within one execution (the WASM callback id, or the relay request id).</summary>
    public string ReferenceId { get; init; } = "";

    /// <summary>The DON on whose behalf the call is made (workflow DON, or relay DON for confidential calls).</summary>
    public uint WorkflowDonId { get; init; }
}

/// <summary>Set by a remote-capability server: which DON called and which of its members asked (F+1 of them at least).</summary>
public sealed record CapabilityCaller(uint DonId, IReadOnlyList<string> NodeAddresses);

/// <summary>One capability invocation. <see cref="Payload"/> is the typed input packed as Any.</summary>
public sealed record CapabilityCall(string CapabilityId, string Method, Any? Payload, CapabilityRequestMetadata Metadata)
{
    /// <summary>Null for in-process calls; set when the call arrived from another DON.</summary>
    public CapabilityCaller? Caller { get; init; }
}

/// <summary>
/// An action capability. Capability-level failures are returned as <c>CapabilityResponse.Error</c>; exceptions mean
/// the call could not be made (transport, quorum, timeout).
/// </summary>
public interface IExecutableCapability
{
    string Id { get; }

    Task<Sdk.CapabilityResponse> ExecuteAsync(CapabilityCall call, CancellationToken cancellationToken);
}
