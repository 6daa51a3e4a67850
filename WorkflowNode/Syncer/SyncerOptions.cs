using System.ComponentModel.DataAnnotations;

namespace CreAspire.WorkflowNode.Syncer;

/// <summary>Registry syncer settings (configuration section "Syncer").</summary>
public sealed class SyncerOptions
{
    public const string SectionName = "Syncer";

    /// <summary>The DON family whose workflows this node runs (getWorkflowListByDON's donFamily).</summary>
    [Required]
    public string DonFamily { get; set; } = "zone-a";

    /// <summary>Time between registry reads; short so a registration on Anvil is picked up well under a second.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>getWorkflowListByDON page size.</summary>
    [Range(1, 10_000)]
    public int PageSize { get; set; } = 1000;

    /// <summary>First retry delay of a failed activation; doubles per failure up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Failed activations after which a workflow is given up on (the original retries engine init 100 times).</summary>
    [Range(1, int.MaxValue)]
    public int MaxRetries { get; set; } = 100;

    /// <summary>How long stopping one engine may take before it is abandoned.</summary>
    public TimeSpan EngineStopTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long "fire now" waits for a workflow this node is still picking up or activating (a confidential activation waits
    /// for F+1 nodes at the enclave) before it answers that the workflow is not active yet.
    /// </summary>
    public TimeSpan FireActivationTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long "fire now" waits for the engine to record the execution as started.</summary>
    public TimeSpan FireStartTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>Engine settings shared by every workflow of this node (configuration section "Engine").</summary>
public sealed class EngineOptions
{
    public const string SectionName = "Engine";

    /// <summary>The workflow DON this node belongs to (CapabilitiesRegistry DON id).</summary>
    public uint WorkflowDonId { get; set; } = 1;

    [Range(1, long.MaxValue)]
    public long MaxResponseSize { get; set; } = 5 * 1024 * 1024;

    public TimeSpan ExecutionTimeout { get; set; } = TimeSpan.FromSeconds(60);
}
