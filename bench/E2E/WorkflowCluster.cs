using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CreAspire.AppHost.Samples;

namespace CreAspire.E2E.Bench;

/// <summary>A deployed workflow and how long after its registration receipt its first execution succeeded.</summary>
internal sealed record FirstExecution(DeployedWorkflow Workflow, TimeSpan RegistrationToActive, TimeSpan RegistrationToFirstExecution);

/// <summary>
/// One fired execution: trigger = when the fire requests were sent; mock = earliest receivedAt of the execution's
/// mock@1.0.0 request over the capability nodes; finished = latest finishedAt over the workflow nodes (the slowest node).
/// </summary>
internal sealed record ExecutionTiming(string ExecutionId, TimeSpan TriggerToMock, TimeSpan TriggerToFinished, TimeSpan TriggerToFirstFinished);

/// <summary>One execution of a burst: its timing, or why it failed.</summary>
internal sealed record BurstExecution(string Path, ExecutionTiming? Timing, string? Error);

/// <summary>Where the running topology is: the chain, the registry, the artifacts folder and server, the node URLs.</summary>
internal sealed record TopologyEndpoints(string RpcUrl, string WorkflowRegistry, string ArtifactsFolder, Uri ArtifactsUrl,
    IReadOnlyList<Uri> WorkflowNodes, IReadOnlyList<Uri> CapabilityNodes);

/// <summary>Deploys, fires and observes the sample workflow on the workflow nodes of a running default topology.</summary>
internal sealed class WorkflowCluster(TopologyEndpoints topology)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan ExecutionTimeout = TimeSpan.FromSeconds(60);

    // Executions are fired at scheduled times far from "now", one second apart, so every execution id is unique.
    private static readonly DateTimeOffset BaseTime = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly IReadOnlyList<Uri> _workflowNodes = topology.WorkflowNodes;
    private readonly IReadOnlyList<Uri> _capabilityNodes = topology.CapabilityNodes;

    public async Task<FirstExecution> DeployAndFirstExecutionAsync(string sample, bool confidential, CancellationToken cancellationToken)
    {
        var name = $"bench-{(confidential ? "confidential" : "normal")}-{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}";
        var workflow = await SampleWorkflowDeployer.DeployAsync(new SampleDeployment(
            topology.RpcUrl, topology.WorkflowRegistry, topology.ArtifactsFolder, topology.ArtifactsUrl, sample, name,
            confidential ? SampleWorkflowDeployer.ConfidentialAttributes : [], "0 0 0 1 1 *"), cancellationToken);
        var receipt = DateTimeOffset.UtcNow; // DeployAsync returns once the upsert transaction's receipt is in.

        await Task.WhenAll(_workflowNodes.Select(node => WaitActiveAsync(node, workflow.WorkflowId, cancellationToken)));
        var active = DateTimeOffset.UtcNow - receipt;

        var first = await FireAndWaitAsync(workflow, 0, cancellationToken);
        var firstFinished = receipt + active + first.TriggerToFirstFinished;
        return new FirstExecution(workflow, active, firstFinished - receipt);
    }

    /// <summary>Fires execution <paramref name="index"/> on every workflow node with one scheduled time and waits until all finished.</summary>
    public async Task<ExecutionTiming> FireAndWaitAsync(DeployedWorkflow workflow, int index, CancellationToken cancellationToken)
    {
        var scheduled = BaseTime.AddSeconds(index).ToString("O", CultureInfo.InvariantCulture);
        var trigger = DateTimeOffset.UtcNow;
        var triggerEventIds = await Task.WhenAll(_workflowNodes.Select(async node =>
        {
            using var response = await _http.PostAsync(new Uri(node, $"workflows/{workflow.WorkflowId}/fire?scheduledTime={Uri.EscapeDataString(scheduled)}"), null, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                throw new InvalidOperationException($"POST {node}workflows/{workflow.WorkflowId}/fire answered {(int)response.StatusCode}: {body}");
            }

            return JsonDocument.Parse(body).RootElement.GetProperty("triggerEventId").GetString()!;
        }));

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ExecutionTimeout);
        var finished = await Task.WhenAll(_workflowNodes.Select((node, i) => WaitFinishedAsync(node, workflow.WorkflowId, triggerEventIds[i], timeout.Token)));
        var executionId = finished[0].ExecutionId;
        var received = await WaitMockReceiptAsync(executionId, timeout.Token);
        return new ExecutionTiming(
            executionId,
            received - trigger,
            finished.Max(e => e.FinishedAt!.Value) - trigger,
            finished.Min(e => e.FinishedAt!.Value) - trigger);
    }

    /// <summary>As <see cref="FireAndWaitAsync"/>, but a failed or timed-out execution is returned as an error.</summary>
    public async Task<BurstExecution> TryFireAndWaitAsync(DeployedWorkflow workflow, string path, int index, CancellationToken cancellationToken)
    {
        try
        {
            return new BurstExecution(path, await FireAndWaitAsync(workflow, index, cancellationToken), null);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or HttpRequestException)
        {
            // Node URL and execution id vary; keep the reason so failures group by cause.
            var reason = ex.Message.Contains(" ended failed: ", StringComparison.Ordinal) ? ex.Message[(ex.Message.IndexOf(" ended failed: ", StringComparison.Ordinal) + 15)..] : ex.Message;
            return new BurstExecution(path, null, reason);
        }
    }

    private async Task WaitActiveAsync(Uri node, string workflowId, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ExecutionTimeout);
        string last = "not known yet";
        try
        {
            while (true)
            {
                using var response = await _http.GetAsync(new Uri(node, $"workflows/{workflowId}"), timeout.Token);
                if (response.IsSuccessStatusCode)
                {
                    var view = await response.Content.ReadFromJsonAsync<JsonElement>(timeout.Token);
                    last = view.GetProperty("status").GetString() ?? "";
                    if (last == "active" && view.GetProperty("engineRunning").GetBoolean())
                    {
                        return;
                    }
                }

                await Task.Delay(PollInterval, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"Workflow {workflowId} did not become active with a running engine on {node} within {ExecutionTimeout.TotalSeconds} s (last status: {last}).");
        }
    }

    private async Task<Execution> WaitFinishedAsync(Uri node, string workflowId, string triggerEventId, CancellationToken cancellationToken)
    {
        Execution? last = null;
        try
        {
            while (true)
            {
                var executions = await _http.GetFromJsonAsync<List<Execution>>(new Uri(node, $"executions?workflow_id={workflowId}&limit=50"), Json.Options, cancellationToken) ?? [];
                last = executions.FirstOrDefault(e => e.TriggerEventId == triggerEventId) ?? last;
                if (last is { FinishedAt: not null })
                {
                    return last.Status == "succeeded"
                        ? last
                        : throw new InvalidOperationException($"Execution {last.ExecutionId} on {node} ended {last.Status}: {last.Error}");
                }

                await Task.Delay(PollInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Execution for trigger event {triggerEventId} of workflow {workflowId} did not finish on {node} within {ExecutionTimeout.TotalSeconds} s (last seen: {last?.Status ?? "not started"}).");
        }
    }

    private async Task<DateTimeOffset> WaitMockReceiptAsync(string executionId, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var receipts = await Task.WhenAll(_capabilityNodes.Select(node =>
                    _http.GetFromJsonAsync<List<MockRequest>>(new Uri(node, $"requests?execution_id={executionId}&capability_id=mock@1.0.0"), Json.Options, cancellationToken)));
                var times = receipts.SelectMany(r => r ?? []).Select(r => r.ReceivedAt).ToList();
                if (times.Count > 0)
                {
                    return times.Min();
                }

                await Task.Delay(PollInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No capability node recorded a mock@1.0.0 request for execution {executionId} within {ExecutionTimeout.TotalSeconds} s.");
        }
    }

    private sealed record Execution(string ExecutionId, string TriggerEventId, string Status, DateTimeOffset? FinishedAt, string? Error);

    private sealed record MockRequest(string ExecutionId, DateTimeOffset ReceivedAt);

    private static class Json
    {
        public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);
    }
}
