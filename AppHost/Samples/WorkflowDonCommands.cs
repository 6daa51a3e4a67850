using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using CreAspire.AppHost.Topology;
using CreAspire.Protocol.Workflows;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CreAspire.AppHost.Samples;

/// <summary>
/// The workflow DON's dashboard commands: deploy the confidential-mock sample (confidential, or on the DON itself) and fire
/// the last deployed workflow's cron trigger on every workflow node at one scheduled time, waiting for the outcome. The
/// dashboard buttons and the end-to-end test run this same code (ResourceCommandService).
/// </summary>
public sealed class WorkflowDonCommands(
    IAnvilResource chain,
    SetupStepResource contracts,
    string artifactsFolder,
    Uri artifactsUrl,
    IReadOnlyList<(string Name, Uri Url)> workflowNodes)
{
    public const string DeployConfidential = "deploy-sample-confidential";
    public const string DeployNormal = "deploy-sample-normal";
    public const string FireCron = "fire-cron-now";

    /// <summary>The sample the commands deploy (it reads MOCK_SECRET and calls mock@1.0.0).</summary>
    public const string Sample = "confidential-mock";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The workflow the last deploy command registered (the one "fire cron now" fires).</summary>
    public DeployedWorkflow? Last { get; private set; }

    /// <summary>Registers the sample (confidential: with {"confidential":true,...}) and waits until every workflow node runs it.</summary>
    public async Task<ExecuteCommandResult> DeployAsync(bool confidential, CancellationToken cancellationToken)
    {
        if (!contracts.Outputs.TryGetValue(ContractsOutputs.WorkflowRegistry, out var registry))
        {
            return CommandResults.Failure("The registries are not deployed yet: the 'contracts' step has not finished.");
        }

        var kind = confidential ? "confidential" : "normal";
        var rpc = await chain.ConnectionStringExpression.GetValueAsync(cancellationToken).ConfigureAwait(false);
        DeployedWorkflow workflow;
        try
        {
            workflow = await SampleWorkflowDeployer.DeployAsync(new SampleDeployment(
                rpc!, registry, artifactsFolder, artifactsUrl, Sample,
                $"{Sample}-{kind}-{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}",
                confidential ? SampleWorkflowDeployer.ConfidentialAttributes : [],
                Schedule: "*/30 * * * * *"), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or FileNotFoundException or InvalidOperationException or HttpRequestException)
        {
            return CommandResults.Failure($"Deploying the {kind} sample failed: {ex.Message}");
        }

        Last = workflow;
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var inactive = await NodesNotActiveAsync(workflow.WorkflowId, timeout.Token).ConfigureAwait(false);
        var details = JsonSerializer.Serialize(new
        {
            workflow.WorkflowId, workflow.WorkflowName, workflow.Owner, workflow.BinaryUrl, workflow.ConfigUrl,
            attributes = Encoding.UTF8.GetString(workflow.Attributes),
        }, Json);
        return inactive.Count == 0
            ? CommandResults.Success($"Deployed the {kind} workflow {workflow.WorkflowName} as {workflow.WorkflowId}: active on all {workflowNodes.Count} workflow nodes.", details, CommandResultFormat.Json)
            : CommandResults.Failure($"Registered the {kind} workflow {workflow.WorkflowName} as {workflow.WorkflowId}, but it is not active within {Timeout.TotalSeconds:0} s on {string.Join(", ", inactive)}.");
    }

    /// <summary>Fires the last deployed workflow on every workflow node (one scheduled time, so one execution id) and waits for its outcome.</summary>
    public async Task<ExecuteCommandResult> FireLastAsync(CancellationToken cancellationToken)
    {
        if (Last is not { } workflow)
        {
            return CommandResults.Failure("No workflow deployed yet: run 'Deploy sample (confidential)' or 'Deploy sample (normal)' first.");
        }

        var now = DateTimeOffset.UtcNow;
        var scheduled = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero).ToString("O");
        var triggers = new List<string>();
        foreach (var (name, url) in workflowNodes)
        {
            using var response = await Http.PostAsync(new Uri(url, $"workflows/{workflow.WorkflowId}/fire?scheduledTime={Uri.EscapeDataString(scheduled)}"), null, cancellationToken)
                .ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return CommandResults.Failure($"Workflow {workflow.WorkflowId}: {name} refused to fire it ({(int)response.StatusCode}): {body}");
            }

            triggers.Add(JsonDocument.Parse(body).RootElement.GetProperty("triggerEventId").GetString()!);
        }

        var executionId = WorkflowIds.ExecutionId(workflow.WorkflowId, triggers[0]);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Timeout);
        var outcomes = await Task.WhenAll(workflowNodes.Select(n => OutcomeAsync(n.Name, n.Url, workflow.WorkflowId, executionId, timeout.Token))).ConfigureAwait(false);
        var failed = outcomes.Where(o => o.Status != "succeeded").ToList();
        if (failed.Count == 0)
        {
            return CommandResults.Success(
                $"Workflow {workflow.WorkflowId}: execution {executionId} succeeded on all {outcomes.Length} workflow nodes.",
                JsonSerializer.Serialize(outcomes, Json), CommandResultFormat.Json);
        }

        return CommandResults.Failure(
            $"Workflow {workflow.WorkflowId}: execution {executionId} " +
            string.Join("; ", failed.Select(f => $"{f.Status} on {f.Node}{(f.Error is { Length: > 0 } e ? ": " + e : "")}")) + ".");
    }

    /// <summary>The commands on the workflow DON resource: enabled once every member is healthy.</summary>
    public void AddTo(Aspire.Hosting.ApplicationModel.IResourceBuilder<DonResource> don)
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

    private async Task<List<string>> NodesNotActiveAsync(string workflowId, CancellationToken cancellationToken)
    {
        var pending = workflowNodes.ToList();
        try
        {
            while (pending.Count > 0)
            {
                var states = await Task.WhenAll(pending.Select(async n => (Node: n, Active: await IsActiveAsync(n.Url, workflowId, cancellationToken).ConfigureAwait(false))))
                    .ConfigureAwait(false);
                pending = states.Where(s => !s.Active).Select(s => s.Node).ToList();
                if (pending.Count > 0)
                {
                    await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // reported below by name
        }

        return pending.Select(n => n.Name).ToList();
    }

    private static async Task<bool> IsActiveAsync(Uri node, string workflowId, CancellationToken cancellationToken)
    {
        using var response = await Http.GetAsync(new Uri(node, $"workflows/{workflowId}"), cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return false;
        }

        var view = await response.Content.ReadFromJsonAsync<JsonElement>(Json, cancellationToken).ConfigureAwait(false);
        return view.GetProperty("status").GetString() == "active" && view.GetProperty("engineRunning").GetBoolean();
    }

    private static async Task<ExecutionOutcome> OutcomeAsync(string name, Uri node, string workflowId, string executionId, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var executions = await Http.GetFromJsonAsync<JsonElement>(new Uri(node, $"executions?workflow_id={workflowId}"), Json, cancellationToken).ConfigureAwait(false);
                var execution = executions.EnumerateArray().FirstOrDefault(e => e.GetProperty("executionId").GetString() == executionId);
                if (execution.ValueKind == JsonValueKind.Object && execution.GetProperty("status").GetString() is { } status && status != "started")
                {
                    return new ExecutionOutcome(name, status,
                        execution.TryGetProperty("error", out var error) && error.ValueKind == JsonValueKind.String ? error.GetString() : null);
                }

                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            return new ExecutionOutcome(name, "not finished", $"no outcome within {Timeout.TotalSeconds:0} s");
        }
    }

    private sealed record ExecutionOutcome(string Node, string Status, string? Error);
}
