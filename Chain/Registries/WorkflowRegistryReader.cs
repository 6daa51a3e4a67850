using CreAspire.Chain.Contracts;
using CreAspire.Chain.Contracts.WorkflowRegistry;
using Nethereum.Web3;

namespace CreAspire.Chain.Registries;

/// <summary>The syncer's reads of a WorkflowRegistry, over the typed <see cref="WorkflowRegistryService"/>; reverts are decoded.</summary>
public sealed class WorkflowRegistryReader : IWorkflowRegistryReader
{
    public WorkflowRegistryReader(IWeb3 web3, string address)
    {
        ArgumentNullException.ThrowIfNull(web3);
        Service = new WorkflowRegistryService(web3, ChainAddresses.Require(address, "WorkflowRegistry"));
    }

    public WorkflowRegistryService Service { get; }

    /// <summary>Lower-case 0x address of the contract.</summary>
    public string Address => Service.ContractAddress;

    public Task<string> TypeAndVersionAsync(CancellationToken cancellationToken) =>
        ContractErrors.RunAsync("WorkflowRegistry.typeAndVersion", WorkflowRegistryService.ErrorTypes, () => Service.TypeAndVersionQueryAsync());

    /// <summary>Throws <see cref="UnsupportedRegistryException"/> unless the contract answers <see cref="RegistryContracts.WorkflowRegistryTypeAndVersion"/>.</summary>
    public async Task VerifyAsync(CancellationToken cancellationToken) =>
        RegistryContracts.RequireTypeAndVersion(RegistryContracts.WorkflowRegistryTypeAndVersion, await TypeAndVersionAsync(cancellationToken).ConfigureAwait(false), Address);

    public async Task<IReadOnlyList<WorkflowMetadata>> GetWorkflowListByDonAsync(string donFamily, ulong start, ulong limit, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var page = await ContractErrors.RunAsync("WorkflowRegistry.getWorkflowListByDON", WorkflowRegistryService.ErrorTypes,
            () => Service.GetWorkflowListByDONQueryAsync(donFamily, start, limit)).ConfigureAwait(false);
        return page.List.Select(ToMetadata).ToArray();
    }

    public async Task<WorkflowMetadata> GetWorkflowByIdAsync(byte[] workflowId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var found = await ContractErrors.RunAsync("WorkflowRegistry.getWorkflowById", WorkflowRegistryService.ErrorTypes,
            () => Service.GetWorkflowByIdQueryAsync(workflowId)).ConfigureAwait(false);
        return ToMetadata(found.Workflow);
    }

    public static WorkflowMetadata ToMetadata(WorkflowMetadataView view)
    {
        ArgumentNullException.ThrowIfNull(view);
        return new WorkflowMetadata(view.WorkflowId, view.Owner.ToLowerInvariant(), view.CreatedAt, (WorkflowStatus)view.Status, view.WorkflowName,
            view.BinaryUrl, view.ConfigUrl, view.Tag, view.Attributes, view.DonFamily);
    }
}
