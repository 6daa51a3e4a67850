using System.Collections.Concurrent;
using System.Net;
using System.Text;
using CreAspire.Operations.Registry;

namespace CreAspire.Operations.Tests;

/// <summary>The registries as in-memory lists (the Chain adapter is tested against Anvil in the explorer's and the node's tests).</summary>
public sealed class FakeRegistry : IRegistryReader, IWorkflowOwnerOperations
{
    public const string OwnerAddress = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";

    public ConcurrentDictionary<string, RegistryWorkflow> Workflows { get; } = new(StringComparer.Ordinal);

    public List<WorkflowUpsert> Upserts { get; } = [];

    /// <summary>When set, the next upsert is refused with this contract error.</summary>
    public string? RefuseUpsertWith { get; set; }

    public string Owner => OwnerAddress;

    public Task<IReadOnlyList<RegistryWorkflow>> ListWorkflowsAsync(string donFamily, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<RegistryWorkflow>>(Workflows.Values.Where(w => w.DonFamily == donFamily).ToArray());

    public Task<RegistryWorkflow?> FindWorkflowAsync(string workflowId, CancellationToken cancellationToken) =>
        Task.FromResult(Workflows.GetValueOrDefault(workflowId));

    public Task<RegistryTopology> ReadTopologyAsync(CancellationToken cancellationToken) => Task.FromResult(new RegistryTopology(
        [new RegistryDon(1, "workflow", 1, ["zone-a"], false, true, [], ["cron-trigger@1.0.0"])], ["cron-trigger@1.0.0"], DateTimeOffset.UtcNow));

    public Task<RegistryTransaction> UpsertAsync(WorkflowUpsert workflow, CancellationToken cancellationToken)
    {
        if (RefuseUpsertWith is { } error)
        {
            throw new RegistryOperationException($"The WorkflowRegistry refused upsertWorkflow: {error}()", error);
        }

        Upserts.Add(workflow);
        Workflows[workflow.WorkflowId] = new RegistryWorkflow(workflow.WorkflowId, Owner, DateTimeOffset.UtcNow, RegistryWorkflowStatus.Active, workflow.Name,
            workflow.Tag, workflow.DonFamily, workflow.BinaryUrl, workflow.ConfigUrl, workflow.Attributes);
        return Task.FromResult(new RegistryTransaction("0x01", (ulong)Upserts.Count));
    }

    public Task<RegistryTransaction> PauseAsync(string workflowId, CancellationToken cancellationToken) => SetStatus(workflowId, RegistryWorkflowStatus.Paused);

    public Task<RegistryTransaction> ActivateAsync(string workflowId, string donFamily, CancellationToken cancellationToken) => SetStatus(workflowId, RegistryWorkflowStatus.Active);

    public Task<RegistryTransaction> DeleteAsync(string workflowId, CancellationToken cancellationToken)
    {
        Workflows.TryRemove(workflowId, out _);
        return Task.FromResult(new RegistryTransaction("0x03", 3));
    }

    private Task<RegistryTransaction> SetStatus(string workflowId, RegistryWorkflowStatus status)
    {
        Workflows[workflowId] = Workflows[workflowId] with { Status = status };
        return Task.FromResult(new RegistryTransaction("0x02", 2));
    }
}

/// <summary>A workflow node's HTTP API as a scripted handler: each request gets the next answer of its path.</summary>
public sealed class ScriptedNode : HttpMessageHandler
{
    private readonly Func<HttpRequestMessage, (HttpStatusCode Status, string Body)> _answer;

    public ScriptedNode(Func<HttpRequestMessage, (HttpStatusCode Status, string Body)> answer) => _answer = answer;

    public ConcurrentQueue<Uri> Requests { get; } = new();

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request.RequestUri!);
        var (status, body) = _answer(request);
        return Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json"), RequestMessage = request });
    }

    public static string View(string id, string status, bool engineRunning, string? lastError = null, bool permanent = false) =>
        $$"""{"id":"{{id}}","name":"n","owner":"70997970c51812dc3a010c7d01b50e0d17dc79c8","tag":"v1","donFamily":"zone-a","status":"{{status}}","confidential":false,"lastError":{{(lastError is null ? "null" : $"\"{lastError}\"")}},"failureCount":1,"permanent":{{(permanent ? "true" : "false")}},"engineRunning":{{(engineRunning ? "true" : "false")}},"updated":"2026-12-02T00:00:00Z","engine":{{(engineRunning ? "\"wasm\"" : "null")}}}""";
}
