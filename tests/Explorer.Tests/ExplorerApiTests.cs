using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CreAspire.Operations.Actions;
using CreAspire.Operations.Nodes;
using CreAspire.Operations.Registry;
using CreAspire.Operations.Samples;

namespace CreAspire.Explorer.Tests;

/// <summary>The JSON API for scripts, and the actions' refusals (what the page shows comes from the same code).</summary>
[Collection(ExplorerCollection.Name)]
public sealed class ExplorerApiTests(ExplorerFixture explorer)
{
    [Fact]
    public async Task Deploy_then_fire_through_the_api_reports_every_node_and_the_executions_are_listed()
    {
        var deploy = await PostAsync("api/workflows", new { sample = "hello-cron", name = Unique("api"), confidential = false, schedule = "0 0 0 1 1 *" });
        Assert.Equal(HttpStatusCode.OK, deploy.Status);
        Assert.True(deploy.Body.GetProperty("activeEverywhere").GetBoolean());
        var workflowId = deploy.Body.GetProperty("workflowId").GetString()!;
        Assert.Equal(4, deploy.Body.GetProperty("nodes").GetArrayLength());

        var fire = await PostAsync($"api/workflows/{workflowId}/fire", null);
        Assert.Equal(HttpStatusCode.OK, fire.Status);
        Assert.All(fire.Body.GetProperty("nodes").EnumerateArray(), n => Assert.Equal("Started", n.GetProperty("status").GetString()));
        var executionId = fire.Body.GetProperty("executionId").GetString();

        var listed = await explorer.Http.GetFromJsonAsync<JsonElement>(new Uri(explorer.BaseUrl, $"api/workflows/{workflowId}/executions"));
        foreach (var node in explorer.Topology.WorkflowNodes)
        {
            Assert.Contains(listed.GetProperty(node.Name).GetProperty("executions").EnumerateArray(), e => e.GetProperty("executionId").GetString() == executionId);
        }
    }

    [Fact]
    public async Task A_fire_that_some_node_refused_answers_207_with_that_nodes_reason()
    {
        var deploy = await PostAsync("api/workflows", new { sample = "hello-cron", name = Unique("api-partial"), schedule = "0 0 0 1 1 *" });
        explorer.Topology.Node("wf-1").Refusing = true;
        try
        {
            var fire = await PostAsync($"api/workflows/{deploy.Body.GetProperty("workflowId").GetString()}/fire", null);

            Assert.Equal(HttpStatusCode.MultiStatus, fire.Status);
            Assert.False(fire.Body.GetProperty("firedEverywhere").GetBoolean());
            var refused = fire.Body.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("node").GetString() == "wf-1");
            Assert.Equal("NotActive", refused.GetProperty("status").GetString());
            Assert.Equal("activation-failed", refused.GetProperty("reason").GetString());
        }
        finally
        {
            explorer.Topology.Node("wf-1").Refusing = false;
        }
    }

    [Theory]
    [InlineData("no-such-sample", "x", "*/30 * * * * *", "sample", "is not a sample workflow")]
    [InlineData("hello-cron", "x", "* * *", "schedule", "is not a 6-field cron schedule")]
    [InlineData("hello-cron", "  padded", "*/30 * * * * *", "name", "leading or trailing spaces")]
    public async Task Bad_deploy_input_is_a_400_naming_the_field(string sample, string name, string schedule, string field, string message)
    {
        var deploy = await PostAsync("api/workflows", new { sample, name, schedule });

        Assert.Equal(HttpStatusCode.BadRequest, deploy.Status);
        Assert.Equal(field, deploy.Body.GetProperty("field").GetString());
        Assert.Contains(message, deploy.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_already_registered_is_refused_and_pausing_an_unknown_workflow_says_so()
    {
        var name = Unique("taken");
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("api/workflows", new { sample = "hello-cron", name, schedule = "0 0 0 1 1 *" })).Status);

        var again = await PostAsync("api/workflows", new { sample = "hello-cron", name, schedule = "0 0 0 1 1 *" });
        var pause = await PostAsync($"api/workflows/{new string('b', 64)}/pause", null);

        Assert.Equal(HttpStatusCode.BadRequest, again.Status);
        Assert.Contains("is already registered", again.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, pause.Status);
        Assert.Contains("has no workflow", pause.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_registry_revert_is_reported_with_the_contracts_error_and_leaves_no_artifacts_behind()
    {
        // An artifacts URL so long that the binary URL exceeds the registry's 200 characters: upsertWorkflow reverts.
        var folder = Directory.CreateTempSubdirectory("creaspire-revert-").FullName;
        try
        {
            var actions = new WorkflowActions(explorer.Registry, explorer.Registry, [], new SampleCatalog(),
                new ArtifactPublisher(folder, new Uri("http://127.0.0.1/" + new string('a', 190) + "/")));

            var error = await Assert.ThrowsAsync<RegistryOperationException>(() =>
                actions.RegisterAsync(new DeployRequest("hello-cron", Unique("revert"), Confidential: false), CancellationToken.None));

            Assert.Equal("URLTooLong", error.ErrorName);
            Assert.StartsWith("The WorkflowRegistry refused upsertWorkflow: URLTooLong(", error.Message, StringComparison.Ordinal);
            Assert.Empty(Directory.GetFiles(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Fire_reports_an_unreachable_node_instead_of_success()
    {
        using var http = new HttpClient { BaseAddress = new Uri("http://127.0.0.1:9/") };
        var actions = new WorkflowActions(explorer.Registry, explorer.Registry, [new WorkflowNodeClient("gone", http) { FireTimeout = TimeSpan.FromSeconds(5) }],
            new SampleCatalog(), new ArtifactPublisher(explorer.ArtifactsFolder, new Uri("http://127.0.0.1:9/")));

        var outcome = await actions.FireAsync(new string('c', 64), CancellationToken.None);

        Assert.False(outcome.FiredEverywhere);
        Assert.Equal(NodeFireStatus.Unreachable, Assert.Single(outcome.Nodes).Status);
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostAsync(string path, object? body)
    {
        using var response = body is null
            ? await explorer.Http.PostAsync(new Uri(explorer.BaseUrl, path), null)
            : await explorer.Http.PostAsJsonAsync(new Uri(explorer.BaseUrl, path), body);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    private static string Unique(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..6]}";
}
