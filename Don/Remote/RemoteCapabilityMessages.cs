using System.Security.Cryptography;
using CreAspire.Protocol.Capabilities;

namespace CreAspire.Don.Remote;

/// <summary>
/// A capability call sent by each member of the calling DON to each member of the capability DON. Honest callers
/// build byte-identical bodies, so the body hash identifies "the same request" on the server.
/// </summary>
/// <param name="Payload">The serialized <c>google.protobuf.Any</c> input; empty when the call has none.</param>
public sealed record RemoteCapabilityRequest(
    uint CallerDonId,
    uint CapabilityDonId,
    string CapabilityId,
    string Method,
    byte[] Payload,
    CapabilityRequestMetadata Metadata);

/// <summary>
/// A capability DON node's answer. <see cref="Response"/> is the serialized <c>CapabilityResponse</c> (compared
/// byte-for-byte by the client); <see cref="Error"/> is set instead when the node could not produce one (e.g. the
/// request never reached quorum).
/// </summary>
public sealed record RemoteCapabilityResponse(string RequestKey, uint CapabilityDonId, byte[] Response, string? Error);

/// <summary>What a capability DON node groups identical requests by.</summary>
public readonly record struct RemoteRequestKey(uint CallerDonId, string WorkflowExecutionId, string ReferenceId, string CapabilityId, string Method, string BodySha256)
{
    public static RemoteRequestKey From(RemoteCapabilityRequest request, ReadOnlySpan<byte> body)
    {
        ArgumentNullException.ThrowIfNull(request);
        return new(request.CallerDonId, request.Metadata.WorkflowExecutionId, request.Metadata.ReferenceId, request.CapabilityId, request.Method, BodyDigest(body));
    }

    public static string BodyDigest(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));
}
