using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Capabilities;
using CreAspire.WorkflowNode.Syncer;

namespace CreAspire.WorkflowNode.Routing;

/// <summary>The module a workflow runs with and whether it is confidential.</summary>
public sealed record RoutedModule(IWorkflowModule Module, bool Confidential);

/// <summary>
/// Chooses a workflow's module from its attributes: confidential → <see cref="ConfidentialModule"/> (the WASM is never
/// loaded locally); otherwise the local module from <see cref="IWorkflowModuleFactory"/>. Malformed attributes are a
/// permanent activation failure, never a silent fall-through to local execution.
/// </summary>
public sealed class WorkflowModuleRouter(IWorkflowModuleFactory localModules, ICapabilityRegistry capabilities)
{
    public RoutedModule Route(FetchedWorkflow workflow)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        WorkflowAttributes attributes;
        try
        {
            attributes = WorkflowAttributes.Parse(workflow.Registered.Metadata.Attributes);
        }
        catch (WorkflowAttributesException ex)
        {
            throw new WorkflowActivationException(
                $"{ex.Message}; the engine was not created. Fix the attributes passed to upsertWorkflow (expected JSON like {{\"confidential\":true,\"vault_don_secrets\":[{{\"key\":\"NAME\"}}]}})",
                permanent: true, ex);
        }

        if (attributes.Confidential)
        {
            var descriptor = new ConfidentialWorkflowDescriptor(
                workflow.Registered.WorkflowId,
                workflow.Registered.OwnerHex,
                workflow.Registered.Metadata.WorkflowName,
                workflow.Registered.Metadata.Tag,
                workflow.Registered.Metadata.BinaryUrl,
                workflow.Binary.ArtifactSha256,
                attributes.VaultDonSecrets);
            return new RoutedModule(new ConfidentialModule(descriptor, capabilities), Confidential: true);
        }

        IWorkflowModule module;
        try
        {
            module = localModules.Create(workflow.Wasm());
        }
        catch (Exception ex) when (ex is InvalidOperationException or Fetcher.ArtifactFetchException)
        {
            throw new WorkflowActivationException($"workflow module could not be created: {ex.Message}", permanent: true, ex);
        }

        return new RoutedModule(module, Confidential: false);
    }
}
