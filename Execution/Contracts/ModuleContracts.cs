using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Sdk;
using Microsoft.Extensions.Logging;

namespace CreAspire.Execution.Contracts;

/// <summary>
/// Something the engine can execute a workflow with: the local WASM module, or the ConfidentialModule that forwards
/// every request to the enclave (the original's host.ModuleV2).
/// </summary>
public interface IWorkflowModule
{
    /// <summary>How the engine labels this module's executions in telemetry (<see cref="ExecutionPaths"/>).</summary>
    string ExecutionPath => ExecutionPaths.Local;

    Task<ExecutionResult> ExecuteAsync(ExecuteRequest request, ModuleExecutionContext context, CancellationToken cancellationToken);
}

/// <summary>The two ways a workflow execution runs, as spans and metrics name them (attribute workflow.path).</summary>
public static class ExecutionPaths
{
    /// <summary>The workflow node runs the WASM itself and calls capability DONs directly.</summary>
    public const string Local = "local";

    /// <summary>The workflow node delegates the execution to the enclave (confidential-workflows@1.0.0-alpha).</summary>
    public const string Confidential = "confidential";
}

/// <summary>Per-execution context handed to a module.</summary>
public sealed record ModuleExecutionContext(
    string ExecutionId,
    CapabilityRequestMetadata Metadata,
    ICapabilityDispatcher Capabilities,
    ISecretsProvider Secrets,
    ILogger Logger)
{
    /// <summary>Deadline of this execution; null uses the host's default. Exceeding it fails the execution with an error result.</summary>
    public TimeSpan? Timeout { get; init; }
}

/// <summary>Where a running module's call_capability goes: the node's capability registry, or the enclave's gateway.</summary>
public interface ICapabilityDispatcher
{
    Task<CapabilityResponse> CallAsync(CapabilityRequest request, CapabilityRequestMetadata metadata, CancellationToken cancellationToken);
}

/// <summary>Where a running module's get_secrets goes; returns one response per request, in order.</summary>
public interface ISecretsProvider
{
    Task<IReadOnlyList<SecretResponse>> GetSecretsAsync(IReadOnlyList<SecretRequest> requests, CapabilityRequestMetadata metadata, CancellationToken cancellationToken);
}

/// <summary>Engine feature switches; always non-null in <see cref="EngineConfig"/> (the original's nil FeatureFlags bug).</summary>
public sealed record EngineFeatureFlags
{
    public static EngineFeatureFlags Default { get; } = new();
}

/// <summary>What an engine needs to know about its workflow. The same config is used for confidential and local modules.</summary>
public sealed record EngineConfig
{
    public required string WorkflowId { get; init; }
    public required string WorkflowOwner { get; init; }
    public required string WorkflowName { get; init; }
    public string WorkflowTag { get; init; } = "";
    public byte[] Config { get; init; } = [];
    public uint WorkflowDonId { get; init; }
    public ulong MaxResponseSize { get; init; } = 5 * 1024 * 1024;
    public TimeSpan ExecutionTimeout { get; init; } = TimeSpan.FromSeconds(60);

    private readonly EngineFeatureFlags _featureFlags = EngineFeatureFlags.Default;

    /// <summary>Never null: assigning null keeps the defaults.</summary>
    public EngineFeatureFlags FeatureFlags
    {
        get => _featureFlags;
        init => _featureFlags = value ?? EngineFeatureFlags.Default;
    }
}
