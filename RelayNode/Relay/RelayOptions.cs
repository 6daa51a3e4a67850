using System.ComponentModel.DataAnnotations;

namespace CreAspire.RelayNode.Relay;

/// <summary>The relay DON this node belongs to (section "Relay").</summary>
public sealed class RelayOptions
{
    public const string SectionName = "Relay";

    /// <summary>On-chain id of the relay DON; sent as WorkflowDonId in capability metadata (the original's localNode.WorkflowDON.ID).</summary>
    [Range(1, uint.MaxValue)]
    public uint DonId { get; set; }
}
