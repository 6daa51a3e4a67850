using System.Net;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using CreAspire.AppHost.Topology;
using CreAspire.Operations.Actions;
using CreAspire.Operations.Nodes;
using CreAspire.Operations.Registry;
using CreAspire.Operations.Samples;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CreAspire.AppHost.Samples;

/// <summary>
/// The workflow DON's dashboard commands: deploy the confidential-mock sample (confidential, or on the DON itself) and fire
/// the last deployed workflow's cron trigger on every workflow node, waiting for the outcome. Both are the Operations
/// library's actions (the explorer's page and JSON API run the same ones); the dashboard buttons and the end-to-end test
/// run this code through ResourceCommandService.
/// </summary>
public sealed class WorkflowDonCommands(
    IAnvilResource chain,
    SetupStepResource contracts,
    string artifactsFolder,
    Uri artifactsUrl,
    IReadOnlyList<(string Name, Uri Url)> workflowNodes) : IDisposable
{
    public const string DeployConfidential = "deploy-sample-confidential";
    public const string DeployNormal = "deploy-sample-normal";
    public const string FireCron = "fire-cron-now";

    /// <summary>The sample the commands deploy (it reads MOCK_SECRET and calls mock@1.0.0).</summary>
    public const string Sample = "confidential-mock";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Own clients rather than IHttpClientFactory's: a retried "fire now" POST would fire twice (see Operations' node client).
    private readonly SocketsHttpHandler _handler = new() { ConnectTimeout = TimeSpan.FromSeconds(3) };
    private readonly SemaphoreSlim _connect = new(1, 1);
    private WorkflowActions? _actions;

    /// <summary>The workflow the last deploy command registered (the one "fire cron now" fires).</summary>
    public DeployOutcome? Last { get; private set; }

    /// <summary>Registers the sample (confidential: with {"confidential":true,...}) and waits until every workflow node runs it.</summary>
    public async Task<ExecuteCommandResult> DeployAsync(bool confidential, CancellationToken cancellationToken)
    {
        var kind = confidential ? "confidential" : "normal";
        var actions = await ActionsAsync(cancellationToken).ConfigureAwait(false);
        if (actions is null)
        {
            return CommandResults.Failure("The registries are not deployed yet: the 'contracts' step has not finished.");
        }

        DeployOutcome outcome;
        try
        {
            outcome = await actions.DeployAsync(
                new DeployRequest(Sample, $"{Sample}-{kind}-{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}", confidential), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ActionRejectedException or RegistryOperationException)
        {
            return CommandResults.Failure($"Deploying the {kind} sample failed: {ex.Message}");
        }

        Last = outcome;
        var details = JsonSerializer.Serialize(outcome, Json);
        return outcome.ActiveEverywhere
            ? CommandResults.Success($"Deployed the {kind} workflow {outcome.Name} as {outcome.WorkflowId}: active on all {outcome.Nodes.Count} workflow nodes.", details, CommandResultFormat.Json)
            : CommandResults.Failure($"Registered the {kind} workflow {outcome.Name} as {outcome.WorkflowId}, but it is not active on " +
                                     string.Join("; ", outcome.Nodes.Where(n => !n.Done).Select(n => $"{n.Node} ({n.State}: {n.Detail})")) + ".");
    }

    /// <summary>Fires the last deployed workflow on every workflow node (one scheduled time, so one execution id) and waits for its outcome.</summary>
    public async Task<ExecuteCommandResult> FireLastAsync(CancellationToken cancellationToken)
    {
        if (Last is not { } workflow || _actions is not { } actions)
        {
            return CommandResults.Failure("No workflow deployed yet: run 'Deploy sample (confidential)' or 'Deploy sample (normal)' first.");
        }

        var fired = await actions.FireAsync(workflow.WorkflowId, cancellationToken).ConfigureAwait(false);
        if (!fired.FiredEverywhere)
        {
            return CommandResults.Failure($"Workflow {workflow.WorkflowId}: execution {fired.ExecutionId} did not start on " +
                string.Join("; ", fired.Nodes.Where(n => !n.Fired).Select(n => $"{n.Node} ({n.Status}: {n.Detail})")) + ".");
        }

        var outcomes = await actions.WaitForExecutionAsync(workflow.WorkflowId, fired.ExecutionId, Timeout, cancellationToken).ConfigureAwait(false);
        var failed = outcomes.Where(o => !o.Succeeded).ToList();
        var details = JsonSerializer.Serialize(outcomes.Select(o => new { o.Node, o.Status, Error = o.Detail }), Json);
        return failed.Count == 0
            ? CommandResults.Success($"Workflow {workflow.WorkflowId}: execution {fired.ExecutionId} succeeded on all {outcomes.Count} workflow nodes.", details, CommandResultFormat.Json)
            : CommandResults.Failure($"Workflow {workflow.WorkflowId}: execution {fired.ExecutionId} " +
                                     string.Join("; ", failed.Select(f => $"{f.Status} on {f.Node}{(f.Detail is { Length: > 0 } e ? ": " + e : "")}")) + ".");
    }

    /// <summary>The commands on the workflow DON resource: enabled once every member is healthy.</summary>
    public void AddTo(IResourceBuilder<DonResource> don)
    {
        ArgumentNullException.ThrowIfNull(don);
        var options = (string description, string icon) => new CommandOptions
        {
            Description = description,
            IconName = icon,
            UpdateState = context => context.ResourceSnapshot.HealthStatus == HealthStatus.Healthy ? ResourceCommandState.Enabled : ResourceCommandState.Disabled,
        };
        Aspire.Hosting.ResourceBuilderExtensions.WithCommand(don, DeployConfidential, "Deploy sample (confidential)", c => DeployAsync(true, c.CancellationToken),
            options("Registers confidential-mock with {\"confidential\":true}: it runs in the enclave and calls mock@1.0.0 through the gateway and the relay DON.", "ShieldLock"));
        Aspire.Hosting.ResourceBuilderExtensions.WithCommand(don, DeployNormal, "Deploy sample (normal)", c => DeployAsync(false, c.CancellationToken),
            options("Registers confidential-mock without attributes: it runs on the workflow DON, which calls mock@1.0.0 directly.", "CloudArrowUp"));
        Aspire.Hosting.ResourceBuilderExtensions.WithCommand(don, FireCron, "Fire cron now", c => FireLastAsync(c.CancellationToken),
            options("Fires the last deployed workflow's cron trigger on every workflow node and waits for the execution's outcome.", "Play"));
    }

    public void Dispose()
    {
        _handler.Dispose();
        _connect.Dispose();
    }

    /// <summary>The actions, made once the 'contracts' step published the registry addresses (null before).</summary>
    private async Task<WorkflowActions?> ActionsAsync(CancellationToken cancellationToken)
    {
        if (_actions is { } made)
        {
            return made;
        }

        if (!contracts.Outputs.TryGetValue(ContractsOutputs.WorkflowRegistry, out var workflowRegistry)
            || !contracts.Outputs.TryGetValue(ContractsOutputs.CapabilitiesRegistry, out var capabilitiesRegistry))
        {
            return null;
        }

        await _connect.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_actions is null)
            {
                var rpc = await chain.ConnectionStringExpression.GetValueAsync(cancellationToken).ConfigureAwait(false);
                var registry = new ChainRegistry(new ChainRegistryOptions(rpc!, workflowRegistry, capabilitiesRegistry));
                var nodes = workflowNodes.Select(n => new WorkflowNodeClient(n.Name, new HttpClient(_handler, disposeHandler: false)
                {
                    BaseAddress = n.Url,
                    Timeout = System.Threading.Timeout.InfiniteTimeSpan,
                    DefaultRequestVersion = HttpVersion.Version11,
                })).ToArray();
                _actions = new WorkflowActions(registry, registry, nodes, new SampleCatalog(), new ArtifactPublisher(artifactsFolder, artifactsUrl),
                    new ActionOptions { NodeTimeout = Timeout });
            }

            return _actions;
        }
        finally
        {
            _connect.Release();
        }
    }
}
