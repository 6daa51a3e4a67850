namespace CreAspire.Operations.Actions;

/// <summary>How long the actions wait for the workflow nodes to follow the registry, and how often they look.</summary>
public sealed record ActionOptions
{
    /// <summary>Bound on waiting for every node to activate, pause or drop a workflow after the transaction is mined.</summary>
    public TimeSpan NodeTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The registry's limit on workflow names (WorkflowRegistry DEFAULT_MAX_NAME_LEN).</summary>
    public int MaxNameBytes { get; init; } = 64;

    public string Tag { get; init; } = "v1";
}
