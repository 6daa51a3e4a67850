namespace CreAspire.Hosting.ApplicationModel;

/// <summary>The states a resource moves through.</summary>
public static class KnownResourceStates
{
    public const string NotStarted = nameof(NotStarted);
    public const string Waiting = nameof(Waiting);
    public const string Starting = nameof(Starting);
    public const string Running = nameof(Running);
    public const string Healthy = nameof(Healthy);
    public const string Unhealthy = nameof(Unhealthy);
    public const string Finished = nameof(Finished);
    public const string Exited = nameof(Exited);
    public const string FailedToStart = nameof(FailedToStart);
    public const string Stopping = nameof(Stopping);

    /// <summary>States after which the resource will not run again.</summary>
    public static bool IsTerminal(string state) => state is Finished or Exited or FailedToStart;

    /// <summary>States that let a WaitFor dependent proceed.</summary>
    public static bool IsReady(string state) => state is Healthy;
}

/// <summary>Health as reported by the probes; null until the first probe answered (or when there is none).</summary>
public enum ResourceHealthStatus
{
    Healthy,
    Unhealthy,
}

/// <summary>One immutable, versioned view of a resource. Updates are <c>s with { ... }</c> functions of the previous snapshot.</summary>
public sealed record ResourceSnapshot
{
    public required string Name { get; init; }

    public required string Kind { get; init; }

    public string State { get; init; } = KnownResourceStates.NotStarted;

    public ResourceHealthStatus? HealthStatus { get; init; }

    /// <summary>Why the resource is unhealthy or failed, in a sentence.</summary>
    public string? Message { get; init; }

    public int? Pid { get; init; }

    public int? ExitCode { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? StoppedAt { get; init; }

    public int Restarts { get; init; }

    public string? Parent { get; init; }

    public IReadOnlyList<string> Endpoints { get; init; } = [];

    public long Version { get; init; }
}

/// <summary>A snapshot change, as seen by <see cref="ResourceNotificationService.WatchAsync"/>.</summary>
public sealed record ResourceEvent(IResource Resource, ResourceSnapshot Snapshot);
