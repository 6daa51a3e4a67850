using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using CreAspire.AppHost.Samples;
using CreAspire.AppHost.Topology;
using CreAspire.Hosting.Run;
using CreAspire.Protocol.Workflows;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CreAspire.EndToEnd.Tests;

/// <summary>
/// One running CRE topology for a test class: the real AppHost (its Program.cs, its services, a real chain and real databases)
/// through DistributedApplicationTestingBuilder, with topology options as arguments, free ports and its own run and artifacts
/// folders, so two of these can run side by side. Stopped (every process) when the class is done, even after a failure.
/// </summary>
public abstract class CreApp(params string[] topologyArgs) : IAsyncLifetime
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _artifacts = Directory.CreateTempSubdirectory("creaspire-e2e-").FullName;
    private readonly ConcurrentDictionary<string, CustomResourceSnapshot> _snapshots = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    public CreTopologyOptions Options { get; } = CreTopologyOptions.FromConfiguration(new ConfigurationBuilder().AddCommandLine(topologyArgs).Build());

    public DistributedApplication App { get; private set; } = null!;

    public DistributedApplicationModel Model => App.Services.GetRequiredService<DistributedApplicationModel>();

    public IReadOnlyList<string> WorkflowNodes => Enumerable.Range(0, Options.WorkflowNodes).Select(i => $"wf-{i}").ToList();

    public IReadOnlyList<string> CapabilityNodes =>
        Enumerable.Range(0, Options.SingleDon ? Options.WorkflowNodes : Options.CapabilityNodes).Select(i => $"cap-{i}").ToList();

    public SetupStepResource Contracts => Model.Resources.OfType<SetupStepResource>().Single(r => r.Name == "contracts");

    public async Task InitializeAsync()
    {
        // Telemetry off unless a subclass points it somewhere: the testing builder runs no dashboard to export to.
        var builder = await CreateBuilderAsync([.. topologyArgs, "--artifacts", _artifacts]);
        await ConfigureAsync(builder);
        builder.Services.AddSingleton(new StartupReporterOptions { StopOnFailure = false, StartedAt = DateTime.UtcNow, Timeout = StartTimeout });
        Configure(builder);
        App = await builder.BuildAsync();
        _ = Task.Run(WatchAsync);
        var reporter = App.Services.GetRequiredService<StartupReporter>();
        var start = App.StartAsync();
        await Task.WhenAny(start, reporter.Outcome).WaitAsync(StartTimeout + TimeSpan.FromSeconds(30));
        var outcome = await reporter.Outcome.WaitAsync(StartTimeout + TimeSpan.FromSeconds(30));
        if (!outcome.Succeeded)
        {
            throw new InvalidOperationException($"The topology did not come up: {outcome.Message}\n{DescribeResources(15)}");
        }

        await start.WaitAsync(DefaultTimeout);
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        foreach (var node in WorkflowNodes)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(node, timeout.Token);
        }

        await StartedAsync();
    }

    /// <summary>Changes to the AppHost's resources before the app is built (a fixture's extra environment, for example).</summary>
    protected virtual void Configure(IDistributedApplicationTestingBuilder builder)
    {
    }

    public async Task DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await App.DisposeAsync();
        }
        finally
        {
            await StoppedAsync();
            _stopping.Dispose();
        }

        try
        {
            Directory.Delete(_artifacts, recursive: true);
        }
        catch (IOException)
        {
            // Leftover artifacts in the temp folder are harmless.
        }
    }

    /// <summary>The testing builder for the AppHost with <paramref name="args"/>; by default with the services' telemetry off.</summary>
    protected virtual Task<IDistributedApplicationTestingBuilder> CreateBuilderAsync(string[] args) =>
        DistributedApplicationTestingBuilder.CreateAsync<Projects.CreAspire_AppHost>([.. args, "--telemetry", "false"]);

    /// <summary>Changes to the model before it is built (e.g. where the services export telemetry).</summary>
    protected virtual Task ConfigureAsync(IDistributedApplicationTestingBuilder builder) => Task.CompletedTask;

    /// <summary>Runs once every workflow node is healthy.</summary>
    protected virtual Task StartedAsync() => Task.CompletedTask;

    /// <summary>Runs after every resource has stopped.</summary>
    protected virtual Task StoppedAsync() => Task.CompletedTask;

    /// <summary>Every resource's state and health, and its last log lines: what a failed test prints.</summary>
    public string DescribeResources(int logLines = 10)
    {
        var logs = App.Services.GetRequiredService<ResourceLogTail>();
        var text = new StringBuilder();
        foreach (var resource in Model.Resources)
        {
            var snapshot = _snapshots.GetValueOrDefault(resource.Name);
            text.AppendLine($"- {resource.Name}: {snapshot?.State?.Text ?? "no state"}, health {snapshot?.HealthStatus?.ToString() ?? "-"}" +
                            (snapshot?.ExitCode is { } code ? $", exit code {code}" : ""));
            foreach (var line in logs.LastLines(resource.Name, logLines))
            {
                text.AppendLine("    " + line);
            }
        }

        return text.ToString();
    }

    public Uri Endpoint(string resource) => App.GetEndpoint(resource, "http");

    public uint DonId(string donName) =>
        uint.Parse(Contracts.GetOutput(ContractsOutputs.DonId(donName)), System.Globalization.CultureInfo.InvariantCulture);

    public async Task<DeployedWorkflow> DeployAsync(string sample, string name, byte[] attributes) =>
        await SampleWorkflowDeployer.DeployAsync(new SampleDeployment(
            (await App.GetConnectionStringAsync("anvil"))!,
            Contracts.GetOutput(ContractsOutputs.WorkflowRegistry),
            _artifacts,
            Endpoint("artifacts"),
            sample,
            name,
            attributes,
            Schedule: "0 0 0 1 1 *"), // once a year: executions in these tests come from fire-now only
            CancellationToken.None);

    public async Task<JsonElement> GetJsonAsync(string resource, string path)
    {
        using var client = App.CreateHttpClient(resource, "http");
        return await client.GetFromJsonAsync<JsonElement>(path, Json);
    }

    public async Task<HttpResponseMessage> PostAsync(string resource, string path)
    {
        using var client = App.CreateHttpClient(resource, "http");
        return await client.PostAsync(path, content: null);
    }

    /// <summary>Waits until every workflow node runs an engine for the workflow.</summary>
    public Task WaitForActiveAsync(string workflowId) =>
        Eventually.WaitAsync($"workflow {workflowId} active on every workflow node", async () =>
        {
            foreach (var node in WorkflowNodes)
            {
                using var client = App.CreateHttpClient(node, "http");
                using var response = await client.GetAsync($"workflows/{workflowId}");
                if (!response.IsSuccessStatusCode)
                {
                    return false;
                }

                var workflow = await response.Content.ReadFromJsonAsync<JsonElement>(Json);
                if (workflow.GetProperty("status").GetString() != "active" || !workflow.GetProperty("engineRunning").GetBoolean())
                {
                    return false;
                }
            }

            return true;
        }, DefaultTimeout);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, DateTimeOffset> _lastScheduled = new(StringComparer.Ordinal);

    /// <summary>Fires the workflow's cron trigger on every workflow node for one scheduled time; returns the execution id all derive.</summary>
    public async Task<string> FireAsync(string workflowId)
    {
        var now = DateTimeOffset.UtcNow;
        now = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        // Cron times are whole seconds and one time is one execution: two fires of a workflow within a second (an execution
        // can finish in less) get the next free second, not the same execution again.
        var scheduled = _lastScheduled.AddOrUpdate(workflowId, now, (_, last) => now > last ? now : last.AddSeconds(1));
        var triggerEventIds = await Task.WhenAll(WorkflowNodes.Select(async node =>
        {
            using var response = await PostAsync(node, $"workflows/{workflowId}/fire?scheduledTime={Uri.EscapeDataString(scheduled.ToString("O"))}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"fire on {node} answered {(int)response.StatusCode}: {body}");
            return JsonDocument.Parse(body).RootElement.GetProperty("triggerEventId").GetString()!;
        }));
        Assert.Single(triggerEventIds.Distinct());
        return WorkflowIds.ExecutionId(workflowId, triggerEventIds[0]);
    }

    /// <summary>The execution as each workflow node recorded it, once every node recorded it as finished.</summary>
    public async Task<IReadOnlyDictionary<string, JsonElement>> WaitForFinishedAsync(string workflowId, string executionId)
    {
        var finished = new Dictionary<string, JsonElement>();
        await Eventually.WaitAsync($"execution {executionId} finished on every workflow node", async () =>
        {
            foreach (var node in WorkflowNodes)
            {
                var executions = await GetJsonAsync(node, $"executions?workflow_id={workflowId}");
                var execution = executions.EnumerateArray().FirstOrDefault(e => e.GetProperty("executionId").GetString() == executionId);
                if (execution.ValueKind != JsonValueKind.Object || execution.GetProperty("status").GetString() == "started")
                {
                    return false;
                }

                finished[node] = execution.Clone();
            }

            return true;
        }, DefaultTimeout);
        return finished;
    }

    /// <summary>The mock capability's records of an execution on each capability node that has any.</summary>
    public async Task<IReadOnlyList<JsonElement>> MockRecordsAsync(string executionId)
    {
        var records = new List<JsonElement>();
        foreach (var node in CapabilityNodes)
        {
            var list = await GetJsonAsync(node, $"requests?execution_id={executionId}&capability_id=mock@1.0.0");
            records.AddRange(list.EnumerateArray().Select(e => e.Clone()));
        }

        return records;
    }

    /// <summary>Runs a dashboard command of a resource (the same code the dashboard's button runs).</summary>
    public Task<ExecuteCommandResult> ExecuteCommandAsync(string resource, string command) =>
        App.ResourceCommands.ExecuteCommandAsync(Model.Resources.Single(r => r.Name == resource), command);

    private async Task WatchAsync()
    {
        try
        {
            await foreach (var change in App.ResourceNotifications.WatchAsync(_stopping.Token))
            {
                _snapshots[change.Resource.Name] = change.Snapshot;
            }
        }
        catch (OperationCanceledException)
        {
            // disposed
        }
    }
}

/// <summary>The default topology: 4 workflow, 4 relay and 4 capability nodes, F=1, gateway and enclave.</summary>
public sealed class DefaultTopologyApp() : CreApp();

/// <summary>A second default topology, for the test that stops a relay node.</summary>
public sealed class RelayFaultApp() : CreApp();

/// <summary>One DON that is both the workflow DON and the capability DON (the original's "empty workflowDONs" case).</summary>
public sealed class SingleDonApp() : CreApp("--single-don", "true");

/// <summary>Every E2E class runs alone: each brings up ~30 processes on a 2-core machine (they are safe to run side by side).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndCollection
{
    public const string Name = "end-to-end";
}
