using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;

namespace CreAspire.Protocol.Telemetry;

/// <summary>
/// The trace of one workflow execution. Every node of the workflow DON derives the same execution id for a trigger event
/// (sha256(workflowId ‖ eventId)), so every node also derives the same trace id from it: the first 16 bytes of the
/// execution id. The N workflow nodes' executions, the enclave's quorum of their compute requests and everything the one
/// enclave run causes downstream (gateway, relays, capability DON) land in one trace, and a developer can find it in the
/// dashboard from the execution id alone (trace id = its first 32 hex characters).
/// </summary>
public static class ExecutionTrace
{
    /// <summary>The trace id of execution <paramref name="executionId"/>; for an id that is not hex, the first 16 bytes of its SHA-256.</summary>
    public static ActivityTraceId TraceIdOf(string executionId)
    {
        ArgumentNullException.ThrowIfNull(executionId);
        Span<byte> bytes = stackalloc byte[16];
        if (executionId.Length < 32
            || Convert.FromHexString(executionId.AsSpan(0, 32), bytes, out _, out _) != System.Buffers.OperationStatus.Done
            || bytes.IndexOfAnyExcept((byte)0) < 0)
        {
            Span<byte> hash = stackalloc byte[32];
            SHA256.HashData(Encoding.UTF8.GetBytes(executionId), hash);
            hash[..16].CopyTo(bytes);
        }

        return ActivityTraceId.CreateFromBytes(bytes);
    }

    /// <summary>
    /// The parent context a node's first span of the execution starts from: the execution's trace id and no parent span
    /// (a root span). Marked recorded: the trace is sampled on every node or on none, never on some.
    /// </summary>
    public static ActivityContext RootOf(string executionId) =>
        new(TraceIdOf(executionId), default, ActivityTraceFlags.Recorded);
}
