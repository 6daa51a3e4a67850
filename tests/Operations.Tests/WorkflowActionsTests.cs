using System.Net;
using System.Text;
using CreAspire.Operations.Actions;
using CreAspire.Operations.Nodes;
using CreAspire.Operations.Registry;
using CreAspire.Operations.Samples;
using CreAspire.Protocol.Workflows;

namespace CreAspire.Operations.Tests;

/// <summary>The actions' rules: what is refused before anything is written, what "done" means per node.</summary>
public sealed class WorkflowActionsTests : IDisposable
{
    private readonly string _artifacts = Directory.CreateTempSubdirectory("creaspire-ops-").FullName;
    private readonly FakeRegistry _registry = new();
    private readonly List<HttpClient> _clients = [];

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        Directory.Delete(_artifacts, recursive: true);
    }

    [Theory]
    [InlineData("no-such-sample", "ok", "*/30 * * * * *", "sample", "is not a sample workflow; choose one of confidential-mock, hello-cron")]
    [InlineData("hello-cron", "", "*/30 * * * * *", "name", "A workflow name is required")]
    [InlineData("hello-cron", "trailing ", "*/30 * * * * *", "name", "leading or trailing spaces")]
    [InlineData("hello-cron", "ok", "*/30 * * * *", "schedule", "is not a 6-field cron schedule")]
    [InlineData("hello-cron", "ok", "", "schedule", "A cron schedule is required")]
    public async Task Bad_input_is_refused_naming_the_field_and_nothing_is_written(string sample, string name, string schedule, string field, string message)
    {
        var actions = Actions(ActiveNode());

        var refused = await Assert.ThrowsAsync<ActionRejectedException>(() => actions.DeployAsync(new DeployRequest(sample, name, false, schedule), CancellationToken.None));

        Assert.Equal(field, refused.Field);
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
        Assert.Empty(_registry.Upserts);
        Assert.Empty(Directory.GetFiles(_artifacts));
    }

    [Fact]
    public async Task A_name_over_64_bytes_is_refused_counting_utf8_bytes_not_characters()
    {
        var actions = Actions(ActiveNode());
        var name = new string('é', 33); // 33 characters, 66 bytes

        var refused = await Assert.ThrowsAsync<ActionRejectedException>(() => actions.DeployAsync(new DeployRequest("hello-cron", name, false), CancellationToken.None));

        Assert.Equal("The workflow name is 66 bytes long; the WorkflowRegistry allows at most 64 (WorkflowNameTooLong).", refused.Message);
    }

    [Fact]
    public async Task A_refused_upsert_removes_the_artifacts_it_published()
    {
        _registry.RefuseUpsertWith = "MaxWorkflowsPerDONExceeded";
        var actions = Actions(ActiveNode());

        var error = await Assert.ThrowsAsync<RegistryOperationException>(() => actions.DeployAsync(new DeployRequest("hello-cron", "refused", false), CancellationToken.None));

        Assert.Equal("MaxWorkflowsPerDONExceeded", error.ErrorName);
        Assert.Empty(Directory.GetFiles(_artifacts));
    }

    [Fact]
    public async Task Deploy_registers_the_id_the_nodes_will_recompute_and_waits_until_every_node_runs_it()
    {
        var polls = 0;
        var actions = Actions(
            ActiveNode(),
            new ScriptedNode(r => r.RequestUri!.AbsolutePath.StartsWith("/workflows/", StringComparison.Ordinal)
                ? Interlocked.Increment(ref polls) < 3 ? (HttpStatusCode.NotFound, "{}") : (HttpStatusCode.OK, ScriptedNode.View(Id(r), "active", true))
                : (HttpStatusCode.NotFound, "{}")));

        var deployed = await actions.DeployAsync(new DeployRequest("hello-cron", "../escape me", false, "0 0 0 1 1 *"), CancellationToken.None);

        Assert.True(deployed.ActiveEverywhere);
        Assert.All(deployed.Nodes, n => Assert.Equal("active", n.State));
        var upsert = Assert.Single(_registry.Upserts);
        var binary = Directory.GetFiles(_artifacts, "*.wasm.b64").Single();
        Assert.StartsWith(Path.Combine(_artifacts, "---escape-me-"), binary, StringComparison.Ordinal);
        var expected = WorkflowIds.Compute(Convert.FromHexString(FakeRegistry.OwnerAddress[2..]), "../escape me",
            Execution.Artifacts.WorkflowArtifact.DecodeBase64(File.ReadAllBytes(binary)), Encoding.UTF8.GetBytes("0 0 0 1 1 *"));
        Assert.Equal(Convert.ToHexStringLower(expected), upsert.WorkflowId);
        Assert.Equal(deployed.WorkflowId, upsert.WorkflowId);
        Assert.Empty(upsert.Attributes);
    }

    [Fact]
    public async Task Deploy_stops_waiting_for_a_node_that_refused_the_workflow_for_good_and_says_why()
    {
        var actions = Actions(ActiveNode(), new ScriptedNode(r => (HttpStatusCode.OK, ScriptedNode.View(Id(r), "failed", false, "workflowID mismatch: 00aa != 00bb", permanent: true))));

        var deployed = await actions.DeployAsync(new DeployRequest("confidential-mock", "refused-here", true), CancellationToken.None);

        Assert.False(deployed.ActiveEverywhere);
        var refused = deployed.Nodes[1];
        Assert.Equal(("failed (permanent)", "workflowID mismatch: 00aa != 00bb"), (refused.State, refused.Detail));
        Assert.Equal(Encoding.UTF8.GetString(SampleCatalog.ConfidentialAttributes), deployed.Attributes);
    }

    [Fact]
    public async Task Fire_sends_one_scheduled_time_to_every_node_and_is_done_only_when_every_node_started_it()
    {
        var answers = new[]
        {
            (HttpStatusCode.Accepted, """{"executionId":"e1","triggerEventId":"t"}"""),
            (HttpStatusCode.Conflict, """{"detail":"exists already","reason":"duplicate","executionId":"e1"}"""),
            (HttpStatusCode.NotFound, """{"detail":"is paused","reason":"paused"}"""),
            (HttpStatusCode.ServiceUnavailable, """{"detail":"still activating","reason":"activating"}"""),
            (HttpStatusCode.InternalServerError, """{"detail":"no execution recorded","reason":"start-failed"}"""),
        };
        var nodes = answers.Select(a => new ScriptedNode(_ => a)).ToArray();
        var actions = Actions(nodes);

        var outcome = await actions.FireAsync("0x" + new string('A', 64), CancellationToken.None);

        Assert.False(outcome.FiredEverywhere);
        Assert.Equal([NodeFireStatus.Started, NodeFireStatus.Duplicate, NodeFireStatus.NotActive, NodeFireStatus.StillActivating, NodeFireStatus.Failed],
            outcome.Nodes.Select(n => n.Status));
        Assert.Equal("paused", outcome.Nodes[2].Reason);
        Assert.Equal("e1", outcome.ExecutionId);
        var sent = nodes.Select(n => Assert.Single(n.Requests)).ToArray();
        Assert.All(sent, uri => Assert.Equal($"/workflows/{new string('a', 64)}/fire", uri.AbsolutePath));
        Assert.Single(sent.Select(uri => uri.Query).Distinct());
    }

    [Fact]
    public async Task Pausing_a_workflow_of_another_owner_or_one_already_paused_is_refused_before_any_transaction()
    {
        var id = new string('c', 64);
        _registry.Workflows[id] = new RegistryWorkflow(id, "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", DateTimeOffset.UtcNow, RegistryWorkflowStatus.Active, "theirs", "v1", "zone-a", "u", "", []);
        var actions = Actions(ActiveNode());

        var notOurs = await Assert.ThrowsAsync<ActionRejectedException>(() => actions.PauseAsync(id, CancellationToken.None));
        _registry.Workflows[id] = _registry.Workflows[id] with { Owner = FakeRegistry.OwnerAddress, Status = RegistryWorkflowStatus.Paused };
        var alreadyPaused = await Assert.ThrowsAsync<ActionRejectedException>(() => actions.PauseAsync(id, CancellationToken.None));

        Assert.Contains("belongs to 0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc", notOurs.Message, StringComparison.Ordinal);
        Assert.Equal("Workflow 'theirs' is paused already; nothing to pause.", alreadyPaused.Message);
        Assert.Equal(RegistryWorkflowStatus.Paused, _registry.Workflows[id].Status);
    }

    [Fact]
    public async Task Without_workflow_nodes_nothing_is_deployed_or_fired()
    {
        var actions = Actions();

        var deploy = await Assert.ThrowsAsync<ActionRejectedException>(() => actions.DeployAsync(new DeployRequest("hello-cron", "lonely", false), CancellationToken.None));
        await Assert.ThrowsAsync<ActionRejectedException>(() => actions.FireAsync(new string('d', 64), CancellationToken.None));

        Assert.StartsWith("No workflow node is configured", deploy.Message, StringComparison.Ordinal);
        Assert.Empty(_registry.Upserts);
    }

    private static ScriptedNode ActiveNode() => new(r => r.RequestUri!.AbsolutePath.StartsWith("/workflows/", StringComparison.Ordinal)
        ? (HttpStatusCode.OK, ScriptedNode.View(Id(r), "active", true))
        : (HttpStatusCode.NotFound, "{}"));

    private static string Id(HttpRequestMessage request) => request.RequestUri!.Segments[2].TrimEnd('/');

    [Fact]
    public async Task Waiting_for_an_execution_reports_each_nodes_outcome_and_names_those_not_finished_in_time()
    {
        var id = new string('b', 64);
        string Execution(string status, string? error = null) =>
            $$"""[{"executionId":"e1","workflowId":"{{id}}","triggerId":"t","triggerEventId":"te","status":"{{status}}","startedAt":"2030-01-01T00:00:00Z","error":{{(error is null ? "null" : $"\"{error}\"")}}}]""";
        var polls = 0;
        var finishing = new[]
        {
            new ScriptedNode(_ => (HttpStatusCode.OK, Interlocked.Increment(ref polls) < 3 ? Execution("started") : Execution("succeeded"))),
            new ScriptedNode(_ => (HttpStatusCode.OK, Execution("failed", "capability refused"))),
        };
        var silent = new ScriptedNode(_ => (HttpStatusCode.OK, "[]"));

        // Returns as soon as both finished (the timeout is only a bound); the silent node is reported when its bound passes.
        var finished = await Actions(finishing).WaitForExecutionAsync(id, "e1", TimeSpan.FromSeconds(60), CancellationToken.None);
        var missing = Assert.Single(await Actions(silent).WaitForExecutionAsync(id, "e1", TimeSpan.FromMilliseconds(50), CancellationToken.None));

        Assert.Equal(["succeeded", "failed"], finished.Select(o => o.Status));
        Assert.True(finished[0].Succeeded);
        Assert.True(polls >= 3, "the started execution was not polled again");
        Assert.Equal("capability refused", finished[1].Detail);
        Assert.Equal("not recorded", missing.Status);
        Assert.False(missing.Finished);
        Assert.StartsWith("not finished within 0 s", missing.Detail, StringComparison.Ordinal);
        Assert.Contains("/executions", silent.Requests.First().AbsolutePath, StringComparison.Ordinal);
    }

    private WorkflowActions Actions(params ScriptedNode[] nodes)
    {
        var clients = nodes.Select((handler, i) =>
        {
            var http = new HttpClient(handler) { BaseAddress = new Uri($"http://wf-{i}.test/") };
            _clients.Add(http);
            return new WorkflowNodeClient($"wf-{i}", http);
        }).ToArray();
        return new WorkflowActions(_registry, _registry, clients, new SampleCatalog(), new ArtifactPublisher(_artifacts, new Uri("http://artifacts.test")),
            new ActionOptions { NodeTimeout = TimeSpan.FromSeconds(10), PollInterval = TimeSpan.FromMilliseconds(10) });
    }
}
