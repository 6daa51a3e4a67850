namespace CreAspire.WorkflowNode.Store;

/// <summary>Values of a workflow_specs_v2 row, written as the original's createWorkflowSpec writes them.</summary>
/// <param name="Workflow">Hex of the base64-decoded binary (still brotli-compressed); empty for a pause tombstone.</param>
/// <param name="Status">"active" or "paused".</param>
public sealed record WorkflowSpec(
    string WorkflowId,
    string WorkflowOwner,
    string WorkflowName,
    string WorkflowTag,
    string Workflow,
    string Config,
    string Status,
    string BinaryUrl,
    string ConfigUrl,
    byte[] Attributes)
{
    public const string ActiveStatus = "active";
    public const string PausedStatus = "paused";

    /// <summary>The original's job.WASMFile spec type.</summary>
    public const string WasmSpecType = "wasm_file";
}

/// <summary>A stored workflow_specs_v2 row.</summary>
public sealed class StoredWorkflowSpec
{
    public int Id { get; init; }
    public string WorkflowId { get; init; } = "";
    public string WorkflowOwner { get; init; } = "";
    public string WorkflowName { get; init; } = "";
    public string WorkflowTag { get; init; } = "";
    public string Workflow { get; init; } = "";
    public string Config { get; init; } = "";
    public string Status { get; init; } = "";
    public string BinaryUrl { get; init; } = "";
    public string ConfigUrl { get; init; } = "";
    public string SpecType { get; init; } = "";
    public byte[] Attributes { get; init; } = [];
    public DateTime CreatedAt { get; init; }
    public DateTime UpdatedAt { get; init; }
}

/// <summary>Engine state of a workflow as the syncer last left it.</summary>
public static class WorkflowEngineStates
{
    public const string Activating = "activating";
    public const string Active = "active";
    public const string Paused = "paused";
    public const string Failed = "failed";
}

/// <summary>A workflow_states row: what the node did with a workflow it saw on-chain, and the last error.</summary>
public sealed class WorkflowStateRow
{
    public string WorkflowId { get; init; } = "";
    public string WorkflowOwner { get; init; } = "";
    public string WorkflowName { get; init; } = "";
    public string WorkflowTag { get; init; } = "";
    public string DonFamily { get; init; } = "";
    public string State { get; init; } = "";
    public bool? Confidential { get; init; }
    public string? LastError { get; init; }
    public int FailureCount { get; init; }
    public bool Permanent { get; init; }
    public DateTime UpdatedAt { get; init; }

    /// <summary>When the workflow entered <see cref="State"/> (null on rows written before migration 0004 ran).</summary>
    public DateTime? StateSince { get; init; }
}

/// <summary>A workflow as the node API shows it: its state joined with its stored spec (if any).</summary>
public sealed class WorkflowView
{
    public string WorkflowId { get; init; } = "";
    public string WorkflowOwner { get; init; } = "";
    public string WorkflowName { get; init; } = "";
    public string WorkflowTag { get; init; } = "";
    public string DonFamily { get; init; } = "";
    public string State { get; init; } = "";
    public bool? Confidential { get; init; }
    public string? LastError { get; init; }
    public int FailureCount { get; init; }
    public bool Permanent { get; init; }
    public string? SpecStatus { get; init; }
    public string? BinaryUrl { get; init; }
    public string? ConfigUrl { get; init; }
    public byte[]? Attributes { get; init; }
    public DateTime UpdatedAt { get; init; }
    public DateTime? StateSince { get; init; }
}
