namespace CreAspire.Chain.Registries;

/// <summary>WorkflowRegistry v2 status: ACTIVE = 0, PAUSED = 1.</summary>
public enum WorkflowStatus : byte
{
    Active = 0,
    Paused = 1,
}

/// <summary>One entry of getWorkflowListByDON (the contract's WorkflowMetadataView, field for field; owner lower-case 0x).</summary>
public sealed record WorkflowMetadata(
    byte[] WorkflowId,
    string Owner,
    ulong CreatedAt,
    WorkflowStatus Status,
    string WorkflowName,
    string BinaryUrl,
    string ConfigUrl,
    string Tag,
    byte[] Attributes,
    string DonFamily);

/// <summary>Reads the workflow list the syncer reconciles against (implemented over the WorkflowRegistry service).</summary>
public interface IWorkflowRegistryReader
{
    /// <summary>Lower-case 0x address of the registry (for messages).</summary>
    string Address { get; }

    /// <summary>The registry's typeAndVersion(); the syncer refuses a registry that is not the one this project targets.</summary>
    Task<string> TypeAndVersionAsync(CancellationToken cancellationToken);

    Task<IReadOnlyList<WorkflowMetadata>> GetWorkflowListByDonAsync(string donFamily, ulong start, ulong limit, CancellationToken cancellationToken);
}
