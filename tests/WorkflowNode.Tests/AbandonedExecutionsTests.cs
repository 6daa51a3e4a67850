using System.Net.Http.Json;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Workflows;
using CreAspire.WorkflowNode.Apis;
using CreAspire.WorkflowNode.Store;
using Microsoft.Extensions.DependencyInjection;

namespace CreAspire.WorkflowNode.Tests;

/// <summary>A node process that ended mid-execution leaves the execution "started"; the node's next start records it as failed.</summary>
[Collection(PostgresCollection.Name)]
public sealed class AbandonedExecutionsTests(PostgresFixture postgres) : IAsyncLifetime
{
    private readonly string _basePath = Directory.CreateTempSubdirectory("creaspire-wfnode-abandoned-").FullName;
    private string _db = "";

    public async Task InitializeAsync() => _db = await postgres.CreateDatabaseAsync();

    public Task DisposeAsync()
    {
        Directory.Delete(_basePath, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Executions_left_started_by_the_previous_process_are_failed_with_the_reason_at_the_next_start()
    {
        var started = new DateTimeOffset(2026, 12, 2, 5, 0, 0, TimeSpan.Zero);
        await using (var before = new NodeHarness(_db, _basePath, new FakeRegistryReader()))
        {
            using var _ = before.Start();
            var store = before.Services.GetRequiredService<IExecutionStore>();
            var record = new ExecutionRecord("in-flight", "wf-a", "cron-trigger@1.0.0", "evt-1", started, ExecutionStatus.Started);
            Assert.True(await store.TryStartAsync(record, CancellationToken.None));
            Assert.True(await store.TryStartAsync(record with { ExecutionId = "done", TriggerEventId = "evt-2" }, CancellationToken.None));
            await store.FinishAsync("done", ExecutionStatus.Succeeded, started.AddSeconds(1), [7], null, CancellationToken.None);
            // The process goes away here without finishing "in-flight" (as after a kill -9).
        }

        await using var after = new NodeHarness(_db, _basePath, new FakeRegistryReader());
        using var client = after.Start();

        var executions = (await client.GetFromJsonAsync<List<NodeExecution>>("/executions?workflow_id=wf-a"))!.ToDictionary(e => e.ExecutionId);
        Assert.Equal("failed", executions["in-flight"].Status);
        Assert.Equal(AbandonedExecutions.Reason, executions["in-flight"].Error);
        Assert.NotNull(executions["in-flight"].FinishedAt);
        Assert.Equal(("succeeded", (string?)null), (executions["done"].Status, executions["done"].Error));
        Assert.Empty((await client.GetFromJsonAsync<List<NodeExecution>>("/executions?status=started"))!);
    }
}
