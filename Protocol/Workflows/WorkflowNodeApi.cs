using System.Text.Json.Serialization;

namespace CreAspire.Protocol.Workflows;

/// <summary>A workflow as a workflow node's GET /workflows shows it (its engine state, joined with its stored spec): the node writes it, the explorer and the owner actions read it.</summary>
public sealed record NodeWorkflowView(
    string Id,
    string Name,
    string Owner,
    string Tag,
    string DonFamily,
    string Status,
    bool? Confidential,
    string? LastError,
    int FailureCount,
    bool Permanent,
    bool EngineRunning,
    string? SpecStatus,
    string? BinaryUrl,
    string? ConfigUrl,
    string? Attributes,
    DateTimeOffset Updated,
    DateTimeOffset? StateSince = null,
    string? Engine = null)
{
    /// <summary>Running and able to fire: state active with an engine.</summary>
    [JsonIgnore]
    public bool IsActive => Status == "active" && EngineRunning;
}

/// <summary>An execution as a workflow node's GET /executions shows it; <see cref="Result"/> is base64 of the serialized ExecutionResult, <see cref="TraceId"/> the trace it ran in.</summary>
public sealed record NodeExecution(
    string ExecutionId,
    string WorkflowId,
    string TriggerId,
    string TriggerEventId,
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt,
    string? Result,
    string? Error,
    string? TraceId = null);
