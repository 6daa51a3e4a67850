using System.Net;
using System.Net.Http.Json;
using CreAspire.Chain.Registries;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Workflows;
using CreAspire.WorkflowNode.Apis;
using CreAspire.WorkflowNode.Store;
using Microsoft.Extensions.DependencyInjection;

namespace CreAspire.WorkflowNode.Tests;

[Collection(PostgresCollection.Name)]
public sealed class ExecutionStoreTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _basePath = Directory.CreateTempSubdirectory("creaspire-wfnode-exec-").FullName;
    private string _db = "";

    public async Task InitializeAsync() => _db = await postgres.CreateDatabaseAsync();

    public Task DisposeAsync()
    {
        Directory.Delete(_basePath, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Executions_are_recorded_once_per_execution_id_and_listed_by_workflow_and_status()
    {
        await using var node = new NodeHarness(_db, _basePath, new FakeRegistryReader());
        using var client = node.Start();
        var store = node.Services.GetRequiredService<IExecutionStore>();
        Assert.IsType<SignallingExecutionStore>(store); // Postgres underneath, plus the start signal fire-now waits for
        var started = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        var first = new ExecutionRecord("e1", "wf-a", "cron-trigger@1.0.0", "evt-1", started, ExecutionStatus.Started);

        Assert.True(await store.TryStartAsync(first, CancellationToken.None));
        Assert.False(await store.TryStartAsync(first with { TriggerEventId = "evt-dup" }, CancellationToken.None));
        Assert.True(await store.TryStartAsync(first with { ExecutionId = "e2", StartedAt = started.AddSeconds(1) }, CancellationToken.None));
        Assert.True(await store.TryStartAsync(first with { ExecutionId = "e3", WorkflowId = "wf-b" }, CancellationToken.None));
        await store.FinishAsync("e1", ExecutionStatus.Succeeded, started.AddSeconds(2), [1, 2, 3], null, CancellationToken.None);
        await store.FinishAsync("e2", ExecutionStatus.Failed, started.AddSeconds(3), null, "capability failed", CancellationToken.None);

        var all = await client.GetFromJsonAsync<List<NodeExecution>>("/executions?workflow_id=wf-a");
        var succeeded = await client.GetFromJsonAsync<List<NodeExecution>>("/executions?workflow_id=wf-a&status=succeeded");
        var failed = await client.GetFromJsonAsync<List<NodeExecution>>("/executions?status=failed");
        using var bad = await client.GetAsync("/executions?status=done");

        Assert.Equal(["e2", "e1"], all!.Select(e => e.ExecutionId));
        var e1 = Assert.Single(succeeded!);
        Assert.Equal(("evt-1", "succeeded", started.AddSeconds(2), Convert.ToBase64String([1, 2, 3])), (e1.TriggerEventId, e1.Status, e1.FinishedAt!.Value, e1.Result));
        Assert.Equal("capability failed", Assert.Single(failed!).Error);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.FinishAsync("never-started", ExecutionStatus.Failed, started, null, "x", CancellationToken.None));
    }

    [Fact]
    public async Task Health_is_ready_when_postgres_is_reachable()
    {
        await using var node = new NodeHarness(_db, _basePath, new FakeRegistryReader());
        using var client = node.Start();

        using var health = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        using var fire = await client.PostAsync("/workflows/00ab/fire", null);
        Assert.Equal(HttpStatusCode.NotFound, fire.StatusCode);
    }

    [Fact]
    public async Task Node_refuses_to_start_without_a_WorkflowRegistry_address_and_says_which_setting_to_set()
    {
        await using var node = new NodeHarness(_db, _basePath, new FakeRegistryReader())
        {
            WithRealRegistryBinding = true,
            Settings = new Dictionary<string, string> { ["Chain:WorkflowRegistry"] = "" },
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Task.Run(node.Start));

        Assert.Contains("Chain:WorkflowRegistry = '' is not a 0x contract address; set Chain__WorkflowRegistry", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Node_binds_the_real_WorkflowRegistry_at_the_configured_address()
    {
        await using var node = new NodeHarness(_db, _basePath, new FakeRegistryReader()) { WithRealRegistryBinding = true };
        using var client = node.Start();

        var reader = node.Services.GetRequiredService<IWorkflowRegistryReader>();

        var registry = Assert.IsType<WorkflowRegistryReader>(reader);
        Assert.Equal(NodeHarness.DummyWorkflowRegistry, registry.Address);
    }
}
