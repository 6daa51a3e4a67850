namespace CreAspire.Operations.Registry;

/// <summary>WorkflowRegistry status of a workflow.</summary>
public enum RegistryWorkflowStatus
{
    Active,
    Paused,
}

/// <summary>A workflow as the WorkflowRegistry holds it. Ids are lower-case hex without 0x; the owner is a lower-case 0x address.</summary>
public sealed record RegistryWorkflow(
    string WorkflowId,
    string Owner,
    DateTimeOffset CreatedAt,
    RegistryWorkflowStatus Status,
    string Name,
    string Tag,
    string DonFamily,
    string BinaryUrl,
    string ConfigUrl,
    byte[] Attributes);

/// <summary>A node as the CapabilitiesRegistry holds it (signer lower-case 0x, p2p id and encryption key hex).</summary>
public sealed record RegistryNode(string Signer, string P2pId, string EncryptionPublicKey, IReadOnlyList<string> CapabilityIds);

/// <summary>A DON as the CapabilitiesRegistry holds it; <see cref="Members"/> in registration order.</summary>
public sealed record RegistryDon(
    uint Id,
    string Name,
    int F,
    IReadOnlyList<string> Families,
    bool IsPublic,
    bool AcceptsWorkflows,
    IReadOnlyList<RegistryNode> Members,
    IReadOnlyList<string> CapabilityIds);

/// <summary>Everything the CapabilitiesRegistry says about the topology, read at one time.</summary>
public sealed record RegistryTopology(IReadOnlyList<RegistryDon> Dons, IReadOnlyList<string> CapabilityIds, DateTimeOffset ReadAt)
{
    /// <summary>The families of the DONs that accept workflows (where the WorkflowRegistry's lists live).</summary>
    public IReadOnlyList<string> WorkflowFamilies =>
        Dons.Where(d => d.AcceptsWorkflows).SelectMany(d => d.Families).Distinct(StringComparer.Ordinal).ToArray();
}

/// <summary>The upsertWorkflow arguments the owner sends.</summary>
public sealed record WorkflowUpsert(
    string Name,
    string Tag,
    string WorkflowId,
    string DonFamily,
    string BinaryUrl,
    string ConfigUrl,
    byte[] Attributes,
    bool KeepAlive = true);

/// <summary>A mined registry transaction.</summary>
public sealed record RegistryTransaction(string Hash, ulong BlockNumber);

/// <summary>
/// A registry call that the contract refused or that could not be sent. <see cref="ErrorName"/> is the contract's custom
/// error (e.g. "WorkflowNameTooLong") when it reverted with one.
/// </summary>
public sealed class RegistryOperationException(string message, string? errorName = null, Exception? innerException = null)
    : Exception(message, innerException)
{
    public string? ErrorName { get; } = errorName;
}

/// <summary>Reads the WorkflowRegistry and the CapabilitiesRegistry (one adapter per chain binding; see ChainRegistry).</summary>
public interface IRegistryReader
{
    /// <summary>Every workflow registered for <paramref name="donFamily"/> (all statuses).</summary>
    Task<IReadOnlyList<RegistryWorkflow>> ListWorkflowsAsync(string donFamily, CancellationToken cancellationToken);

    /// <summary>The workflow with that id, or null when the registry has none.</summary>
    Task<RegistryWorkflow?> FindWorkflowAsync(string workflowId, CancellationToken cancellationToken);

    Task<RegistryTopology> ReadTopologyAsync(CancellationToken cancellationToken);
}

/// <summary>The workflow owner's operations on the WorkflowRegistry, sent from one owner account.</summary>
public interface IWorkflowOwnerOperations
{
    /// <summary>Lower-case 0x address of the owner account the operations are sent from.</summary>
    string Owner { get; }

    Task<RegistryTransaction> UpsertAsync(WorkflowUpsert workflow, CancellationToken cancellationToken);

    Task<RegistryTransaction> PauseAsync(string workflowId, CancellationToken cancellationToken);

    /// <summary>Re-activates a paused workflow (the real 2.0.0 registry also names the DON family it is activated in).</summary>
    Task<RegistryTransaction> ActivateAsync(string workflowId, string donFamily, CancellationToken cancellationToken);

    Task<RegistryTransaction> DeleteAsync(string workflowId, CancellationToken cancellationToken);
}
