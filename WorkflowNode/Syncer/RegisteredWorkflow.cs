using CreAspire.Chain.Registries;
using CreAspire.WorkflowNode.Fetcher;

namespace CreAspire.WorkflowNode.Syncer;

/// <summary>A registry entry with its ids in the node's canonical form (lower-case hex, no 0x).</summary>
public sealed record RegisteredWorkflow(WorkflowMetadata Metadata)
{
    public string WorkflowId { get; } = Convert.ToHexStringLower(Metadata.WorkflowId);

    /// <summary>Owner address as 40 lower-case hex chars without 0x (workflow_specs_v2.workflow_owner).</summary>
    public string OwnerHex { get; } = (Metadata.Owner.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? Metadata.Owner[2..] : Metadata.Owner).ToLowerInvariant();

    /// <summary>Workflows with the same key are versions of one another: a new id for the same key is an update.</summary>
    public (string Owner, string Name, string Tag) Key => (OwnerHex, Metadata.WorkflowName, Metadata.Tag);
}

/// <summary>A registered workflow with its fetched, id-verified artifacts.</summary>
public sealed record FetchedWorkflow(RegisteredWorkflow Registered, WorkflowBinary Binary, byte[] Config, int MaxWasmBytes)
{
    /// <summary>The raw WASM for the local module factory (brotli-decompressed on demand).</summary>
    public byte[] Wasm() => Binary.DecompressWasm(Registered.Metadata.BinaryUrl, MaxWasmBytes);
}

/// <summary>Activation failed; <see cref="Permanent"/> failures (bad attributes, id mismatch) are never retried.</summary>
public sealed class WorkflowActivationException(string message, bool permanent, Exception? innerException = null)
    : Exception(message, innerException)
{
    public bool Permanent { get; } = permanent;
}

/// <summary>A finished reconcile pass: its number, when it ended, and why the registry could not be read (null when it was).</summary>
public sealed record RegistrySyncPass(long Number, DateTimeOffset FinishedAt, string? RegistryError);
