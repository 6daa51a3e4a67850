using System.Diagnostics;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Workflows;
using CreAspire.WorkflowNode.Fetcher;
using CreAspire.WorkflowNode.Routing;
using CreAspire.WorkflowNode.Store;
using Microsoft.Extensions.Options;

namespace CreAspire.WorkflowNode.Syncer;

/// <summary>A started engine and how it was routed.</summary>
public sealed record ActivatedWorkflow(IWorkflowEngine Engine, bool Confidential);

/// <summary>
/// Turns a registered workflow into a running engine: fetch → verify the workflow id → persist workflow_specs_v2 →
/// route by attributes → create the engine → start it (the original's syncer handler, one straight list of steps).
/// </summary>
public sealed class WorkflowActivator(
    IArtifactFetcher fetcher,
    WorkflowStore store,
    WorkflowModuleRouter router,
    IWorkflowEngineFactory engines,
    IOptions<EngineOptions> engineOptions,
    IOptions<FetcherOptions> fetcherOptions)
{
    /// <summary>Traces activations (ServiceDefaults exports every "CreAspire.*" source).</summary>
    public static readonly ActivitySource ActivitySource = new("CreAspire.WorkflowNode.Syncer");

    public async Task<ActivatedWorkflow> ActivateAsync(RegisteredWorkflow workflow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        using var activity = ActivitySource.StartActivity("workflow.activate");
        activity?.SetTag("workflow.id", workflow.WorkflowId);
        activity?.SetTag("workflow.name", workflow.Metadata.WorkflowName);
        try
        {
            var activated = await ActivateCoreAsync(workflow, cancellationToken);
            activity?.SetTag("workflow.confidential", activated.Confidential);
            return activated;
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
    }

    private async Task<ActivatedWorkflow> ActivateCoreAsync(RegisteredWorkflow workflow, CancellationToken cancellationToken)
    {
        var fetched = await FetchAndVerifyAsync(workflow, cancellationToken);
        await store.UpsertSpecAsync(ToSpec(fetched), cancellationToken);

        var routed = router.Route(fetched);
        var engine = engines.Create(ToEngineConfig(fetched), routed.Module);
        try
        {
            await engine.StartAsync(cancellationToken);
        }
        catch (Exception ex)
        {
            // Never leak a half-started engine, also not when the node is shutting down.
            await engine.DisposeAsync();
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new WorkflowActivationException($"engine initialization failed: {ex.Message}", permanent: false, ex);
        }

        return new ActivatedWorkflow(engine, routed.Confidential);
    }

    /// <summary>Fetches binary and config and refuses them permanently when they do not hash to the registered id.</summary>
    public async Task<FetchedWorkflow> FetchAndVerifyAsync(RegisteredWorkflow workflow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var metadata = workflow.Metadata;
        WorkflowBinary binary;
        byte[] config;
        try
        {
            binary = WorkflowBinary.Decode(metadata.BinaryUrl, await fetcher.FetchAsync(metadata.BinaryUrl, cancellationToken));
            config = string.IsNullOrEmpty(metadata.ConfigUrl) ? [] : await fetcher.FetchAsync(metadata.ConfigUrl, cancellationToken);
        }
        catch (ArtifactFetchException ex)
        {
            throw new WorkflowActivationException($"fetch error: {ex.Message}", permanent: false, ex);
        }

        var computed = Convert.ToHexStringLower(WorkflowIds.Compute(
            Convert.FromHexString(workflow.OwnerHex), metadata.WorkflowName, binary.DecodedBinary, config));
        if (computed != workflow.WorkflowId)
        {
            throw new WorkflowActivationException($"workflowID mismatch: {computed} != {workflow.WorkflowId}", permanent: true);
        }

        return new FetchedWorkflow(workflow, binary, config, fetcherOptions.Value.MaxArtifactBytes);
    }

    private EngineConfig ToEngineConfig(FetchedWorkflow fetched)
    {
        var options = engineOptions.Value;
        return new EngineConfig
        {
            WorkflowId = fetched.Registered.WorkflowId,
            WorkflowOwner = fetched.Registered.OwnerHex,
            WorkflowName = fetched.Registered.Metadata.WorkflowName,
            WorkflowTag = fetched.Registered.Metadata.Tag,
            Config = fetched.Config,
            WorkflowDonId = options.WorkflowDonId,
            MaxResponseSize = (ulong)options.MaxResponseSize,
            ExecutionTimeout = options.ExecutionTimeout,
            FeatureFlags = EngineFeatureFlags.Default,
        };
    }

    private static WorkflowSpec ToSpec(FetchedWorkflow fetched) => new(
        fetched.Registered.WorkflowId,
        fetched.Registered.OwnerHex,
        fetched.Registered.Metadata.WorkflowName,
        fetched.Registered.Metadata.Tag,
        Convert.ToHexStringLower(fetched.Binary.DecodedBinary),
        System.Text.Encoding.UTF8.GetString(fetched.Config),
        WorkflowSpec.ActiveStatus,
        fetched.Registered.Metadata.BinaryUrl,
        fetched.Registered.Metadata.ConfigUrl,
        fetched.Registered.Metadata.Attributes);
}
