using CreAspire.Operations.Nodes;
using CreAspire.Operations.Registry;
using CreAspire.Protocol.Workflows;

namespace CreAspire.Operations.Actions;

/// <summary>Deploy a sample workflow: which sample, under which name, confidential or not, on which cron schedule.</summary>
public sealed record DeployRequest(string Sample, string Name, bool Confidential, string Schedule = DeployRequest.DefaultSchedule)
{
    public const string DefaultSchedule = "*/30 * * * * *";

    /// <summary>The DON family to register in; null = the (first) family of the workflow DON.</summary>
    public string? DonFamily { get; init; }
}

/// <summary>Where one workflow node stands with a workflow after an action.</summary>
/// <param name="Done">The node reached the state the action asked for (active, paused, gone).</param>
/// <param name="State">The node's state text ("active", "failed", "paused", "activating", "unknown", "unreachable", "deleted").</param>
/// <param name="Detail">Why, in the node's words (its last error, or what is still missing).</param>
public sealed record NodeOutcome(string Node, bool Done, string State, string Detail, DateTimeOffset? Since = null);

/// <summary>A registered sample workflow and where every workflow node stands with it.</summary>
public sealed record DeployOutcome(
    string WorkflowId,
    string Name,
    string Sample,
    string Owner,
    string DonFamily,
    bool Confidential,
    string Schedule,
    string BinaryUrl,
    string ConfigUrl,
    string Attributes,
    RegistryTransaction Transaction,
    IReadOnlyList<NodeOutcome> Nodes)
{
    public bool ActiveEverywhere => Nodes.Count > 0 && Nodes.All(n => n.Done);
}

/// <summary>"Fire now": the scheduled time every node was given, the execution id they derive, and each node's answer.</summary>
public sealed record FireOutcome(string WorkflowId, DateTimeOffset ScheduledTime, string ExecutionId, IReadOnlyList<NodeFireResult> Nodes)
{
    public bool FiredEverywhere => Nodes.Count > 0 && Nodes.All(n => n.Fired);
}

/// <summary>Where one workflow node stands with an execution: its status ("succeeded", "failed", "started", "not recorded", "unreachable").</summary>
public sealed record NodeExecutionOutcome(string Node, string Status, string Detail, NodeExecution? Execution)
{
    public bool Finished => Execution is not null && Status != "started";

    public bool Succeeded => Status == "succeeded";
}

/// <summary>Pause, activate or delete: the registry transaction and where every workflow node stands afterwards.</summary>
public sealed record LifecycleOutcome(string WorkflowId, string Action, RegistryTransaction Transaction, IReadOnlyList<NodeOutcome> Nodes)
{
    public bool DoneEverywhere => Nodes.Count > 0 && Nodes.All(n => n.Done);
}

/// <summary>An action refused before anything was written (unknown sample, bad schedule, name too long or taken, ...).</summary>
public sealed class ActionRejectedException(string message, string? field = null) : Exception(message)
{
    /// <summary>The request field at fault ("sample", "name", "schedule", "workflowId"), when one is.</summary>
    public string? Field { get; } = field;
}
