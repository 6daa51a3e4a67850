using System.Net.Http.Json;
using System.Text.Json;
using CreAspire.AppHost.Samples;
using CreAspire.AppHost.Topology;
using CreAspire.Hosting;
using CreAspire.Hosting.ApplicationModel;
using CreAspire.Hosting.Testing;
using CreAspire.Protocol.Workflows;

namespace CreAspire.EndToEnd.Tests;

/// <summary>
/// One running CRE topology for a test class: the AppHost's own topology code through the testing builder, with the real
/// services, a real chain and real databases. Stopped (every process) when the class is done, even after a failure.
/// </summary>
public abstract class CreApp : IAsyncLifetime
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly string _artifacts = Path.Combine(Path.GetTempPath(), "creaspire-e2e-" + Guid.NewGuid().ToString("N")[..8]);

    protected CreApp(CreTopologyOptions options) => Options = options;

    public CreTopologyOptions Options { get; }

    public DistributedApplication App { get; private set; } = null!;

    public CreTopologyResources Resources { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(30) };

    public IReadOnlyList<string> WorkflowNodes => Resources.Nodes.Select(n => n.Resource.Name).Where(n => n.StartsWith("wf-", StringComparison.Ordinal)).ToList();

    public IReadOnlyList<string> CapabilityNodes => Resources.Nodes.Select(n => n.Resource.Name).Where(n => n.StartsWith("cap-", StringComparison.Ordinal)).ToList();

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_artifacts);
        Options.ArtifactsFolder = _artifacts;
        Options.DeployRegistries = (request, ct) => ChainRegistryDeployer.DeployAsync(request, Options.Seed, ct);
        var builder = DistributedApplicationTestingBuilder.Create([], o =>
        {
            o.StartupTimeout = TimeSpan.FromSeconds(180);
            o.DependencyTimeout = TimeSpan.FromSeconds(180);
        });
        Resources = CreTopology.AddDefaultTopology(builder, Options);
        App = await builder.BuildAsync();
        try
        {
            await App.StartAsync().WaitAsync(TimeSpan.FromMinutes(4));
        }
        catch (Exception ex)
        {
            throw new InvalidOperationException($"The topology did not come up: {ex.Message}\n{App.DescribeResources(15)}", ex);
        }
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await App.DisposeAsync();
        try
        {
            Directory.Delete(_artifacts, recursive: true);
        }
        catch (IOException)
        {
            // Leftover artifacts in the temp folder are harmless.
        }
    }

    public Uri Endpoint(string resource) => App.GetEndpoint(resource);

    public uint DonId(string donName) => uint.Parse(Resources.Contracts.Resource.GetOutput(ContractsOutputs.DonId(donName)), System.Globalization.CultureInfo.InvariantCulture);

    public Task<DeployedWorkflow> DeployAsync(string sample, string name, byte[] attributes) =>
        SampleWorkflowDeployer.DeployAsync(new SampleDeployment(
            Resources.Anvil.Resource.GetConnectionString(),
            Resources.Contracts.Resource.GetOutput(ContractsOutputs.WorkflowRegistry),
            Resources.ArtifactsFolder,
            Resources.Artifacts.Resource.GetEndpoint(),
            sample,
            name,
            attributes,
            Schedule: "0 0 0 1 1 *"), // once a year: executions in these tests come from fire-now only
            CancellationToken.None);

    public Task<JsonElement> GetJsonAsync(string resource, string path) =>
        Http.GetFromJsonAsync<JsonElement>(new Uri(Endpoint(resource), path), Json);

    /// <summary>Waits until every workflow node runs an engine for the workflow.</summary>
    public Task WaitForActiveAsync(string workflowId) =>
        Eventually.WaitAsync($"workflow {workflowId} active on every workflow node", async () =>
        {
            foreach (var node in WorkflowNodes)
            {
                using var response = await Http.GetAsync(new Uri(Endpoint(node), $"workflows/{workflowId}"));
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

    /// <summary>Fires the workflow's cron trigger on every workflow node for one scheduled time; returns the execution id all derive.</summary>
    public async Task<string> FireAsync(string workflowId, IEnumerable<string>? nodes = null)
    {
        var scheduled = DateTimeOffset.UtcNow;
        scheduled = new DateTimeOffset(scheduled.Ticks - (scheduled.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var triggerEventIds = await Task.WhenAll((nodes ?? WorkflowNodes).Select(async node =>
        {
            var url = new Uri(Endpoint(node), $"workflows/{workflowId}/fire?scheduledTime={Uri.EscapeDataString(scheduled.ToString("O"))}");
            using var response = await Http.PostAsync(url, content: null);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"fire on {node} answered {(int)response.StatusCode}: {body}");
            return JsonDocument.Parse(body).RootElement.GetProperty("triggerEventId").GetString()!;
        }));
        Assert.Single(triggerEventIds.Distinct());
        return WorkflowIds.ExecutionId(workflowId, triggerEventIds[0]);
    }

    /// <summary>The execution as each workflow node recorded it, once every node recorded it as finished.</summary>
    public async Task<IReadOnlyDictionary<string, JsonElement>> WaitForFinishedAsync(string workflowId, string executionId, IEnumerable<string>? nodes = null)
    {
        var finished = new Dictionary<string, JsonElement>();
        await Eventually.WaitAsync($"execution {executionId} finished on every workflow node", async () =>
        {
            foreach (var node in nodes ?? WorkflowNodes)
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
}

/// <summary>The default topology: 4 workflow, 4 relay and 4 capability nodes, F=1, gateway and enclave.</summary>
public sealed class DefaultTopologyApp() : CreApp(new CreTopologyOptions());

/// <summary>A second default topology, for the test that stops a relay node.</summary>
public sealed class RelayFaultApp() : CreApp(new CreTopologyOptions());

/// <summary>One DON that is both the workflow DON and the capability DON (the original's "empty workflowDONs" case).</summary>
public sealed class SingleDonApp() : CreApp(new CreTopologyOptions { SingleDon = true });

/// <summary>Every E2E class runs alone: each brings up ~27 processes on a 2-core machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndCollection
{
    public const string Name = "end-to-end";
}
