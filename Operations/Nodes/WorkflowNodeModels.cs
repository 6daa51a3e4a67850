namespace CreAspire.Operations.Nodes;

/// <summary>What a workflow node answered to "fire now".</summary>
public enum NodeFireStatus
{
    /// <summary>The node recorded a new execution for the scheduled time and runs it.</summary>
    Started,

    /// <summary>The node already has an execution for that scheduled time; nothing new ran.</summary>
    Duplicate,

    /// <summary>The workflow has no running engine with a cron subscription there (unknown, paused, or its activation failed).</summary>
    NotActive,

    /// <summary>The node was still activating the workflow when its wait ran out.</summary>
    StillActivating,

    /// <summary>The node answered with an error.</summary>
    Failed,

    /// <summary>The node could not be reached or did not answer in time.</summary>
    Unreachable,
}

/// <summary>One node's answer to "fire now": the outcome, the execution id when one started, and the node's own words.</summary>
public sealed record NodeFireResult(string Node, NodeFireStatus Status, string? ExecutionId, string? TriggerEventId, string Detail, string? Reason = null)
{
    public bool Fired => Status == NodeFireStatus.Started;
}
