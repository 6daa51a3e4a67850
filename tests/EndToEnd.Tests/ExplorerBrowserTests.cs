using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using CreAspire.AppHost.Topology;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace CreAspire.EndToEnd.Tests;

/// <summary>
/// The explorer resource of the real default topology (4 workflow, 4 relay, 4 capability nodes, F=1) in a real browser:
/// deploy a confidential sample from the page, fire it, see the execution succeed on every node with its decoded result and
/// the mock's request; bad input is answered in the page and registers nothing; deploy-then-fire-at-once through the JSON
/// API starts and completes on every node, 20 of 20.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ExplorerBrowserTests(ExplorerTopologyApp app, ITestOutputHelper output) : IClassFixture<ExplorerTopologyApp>
{
    private const string Yearly = "0 0 0 1 1 *";

    [Fact]
    public Task A_confidential_sample_deployed_and_fired_from_the_pages_succeeds_on_every_node_with_its_decoded_result_and_the_mock_request() =>
        ScenarioGuard.RunAsync(app, output, async () =>
        {
            var name = Unique("page-confidential");
            var page = await app.OpenAsync("/deploy");
            await page.Locator("#sample").ClickAsync();
            await page.Locator("#sample fluent-option[value='confidential-mock']").ClickAsync();
            await Expect(page.Locator("#sample")).ToContainTextAsync("confidential-mock");
            await page.Locator("#name input").FillAsync(name);
            await page.Locator("#schedule input").FillAsync(Yearly);
            await page.Locator("#deploy").ClickAsync();

            var result = page.Locator("#action-result");
            await Expect(result).ToHaveAttributeAsync("data-succeeded", "true");
            await Expect(result).ToContainTextAsync("active on every workflow node");
            foreach (var node in app.WorkflowNodes)
            {
                await Expect(page.Locator($"#action-nodes tr[data-node='{node}']")).ToContainTextAsync("active");
            }

            await page.Locator("#action-result a").ClickAsync();
            await Expect(page.Locator("#confidential")).ToContainTextAsync("yes: runs in the enclave");
            await page.Locator("#fire").ClickAsync();
            await Expect(page.Locator("#action-result")).ToHaveAttributeAsync("data-succeeded", "true");
            await Expect(page.Locator("#action-result")).ToContainTextAsync("started on every workflow node");

            // The execution arrives through the live refresh: succeeded on every node, the MockOutput decoded.
            var execution = page.Locator("#executions tbody tr").First;
            await Expect(execution).ToHaveAttributeAsync("data-status", "succeeded");
            foreach (var node in app.WorkflowNodes)
            {
                await Expect(execution.Locator($".per-node[data-node='{node}']")).ToContainTextAsync("succeeded");
            }

            await Expect(execution.Locator("pre.json")).ToContainTextAsync("\"decodedAs\": \"capabilities.mock.v1.MockOutput\"");
            await Expect(execution.Locator("pre.json")).ToContainTextAsync("\"message\": \"confidential-mock\"");

            var executionId = await execution.GetAttributeAsync("data-execution");
            await page.GotoAsync("/requests");
            var requests = page.Locator($"#mock-requests tr[data-execution='{executionId}']");
            await Expect(requests.First).ToContainTextAsync("\"message\": \"confidential-mock\"");
            await Expect(requests.First).ToContainTextAsync($"relay (#{app.DonId(CreTopology.RelayDon)})");
            // F+1 = 2 capability nodes at least recorded it (the page follows their records live).
            await Expect(requests.Nth(1)).ToContainTextAsync("\"message\": \"confidential-mock\"");
            Assert.True((await app.MockRecordsAsync(executionId!)).Count >= 2);
            await Expect(page.Locator($"#vault-requests tr[data-execution='{executionId}']").First).ToContainTextAsync("MOCK_SECRET");
            Assert.DoesNotContain(app.Options.SampleSecret, await page.ContentAsync(), StringComparison.Ordinal);
        });

    [Theory]
    [InlineData("a-name-that-is-far-too-long-for-the-workflow-registry-which-allows-sixty-four", "*/30 * * * * *", "the WorkflowRegistry allows at most 64")]
    [InlineData("real-bad-schedule", "every minute", "is not a 6-field cron schedule")]
    public Task A_failing_deploy_shows_its_error_in_the_page_and_registers_nothing(string name, string schedule, string message) =>
        ScenarioGuard.RunAsync(app, output, async () =>
        {
            var before = await RegisteredCountAsync();
            var page = await app.OpenAsync("/deploy");
            await page.Locator("#name input").FillAsync(name);
            await page.Locator("#schedule input").FillAsync(schedule);
            await page.Locator("#deploy").ClickAsync();

            await Expect(page.Locator("#action-result")).ToHaveAttributeAsync("data-succeeded", "false");
            await Expect(page.Locator("#action-error")).ToContainTextAsync(message);
            Assert.Equal(before, await RegisteredCountAsync());
            Assert.Empty(Directory.GetFiles(await ArtifactsFolderAsync(), name + "*"));
        });

    [Fact]
    public Task Deploy_then_fire_at_once_through_the_JSON_API_succeeds_on_every_node_20_of_20() => ScenarioGuard.RunAsync(app, output, async () =>
    {
        var failures = new List<string>();
        for (var attempt = 0; attempt < 20; attempt++)
        {
            // wait=false answers at the registration receipt: the fire below reaches nodes that may not have the workflow yet.
            var deployed = await PostAsync("api/workflows", new { sample = "hello-cron", name = Unique($"at-once-{attempt}"), confidential = false, schedule = Yearly, wait = false });
            var workflowId = deployed.GetProperty("workflowId").GetString()!;
            // 207 (not every node started it) is an outcome to count, not an error of the test.
            var fired = await PostAsync($"api/workflows/{workflowId}/fire", null, HttpStatusCode.MultiStatus);
            var refused = fired.GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("status").GetString() != "Started").ToList();
            if (refused.Count > 0)
            {
                failures.Add($"attempt {attempt}: not started on " + string.Join("; ", refused.Select(n => n.ToString())));
                continue;
            }

            var executionId = fired.GetProperty("executionId").GetString()!;
            var finished = await app.WaitForFinishedAsync(workflowId, executionId);
            failures.AddRange(finished.Where(f => f.Value.GetProperty("status").GetString() != "succeeded")
                .Select(f => $"attempt {attempt}: {f.Key} {f.Value.GetProperty("status").GetString()}: {f.Value}"));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    });

    [Fact]
    public Task Every_page_renders_against_the_real_topology_and_is_captured() => ScenarioGuard.RunAsync(app, output, async () =>
    {
        var deployed = await PostAsync("api/workflows", new { sample = "confidential-mock", name = Unique("screenshot"), confidential = true, schedule = Yearly });
        var workflowId = deployed.GetProperty("workflowId").GetString()!;
        var fired = await PostAsync($"api/workflows/{workflowId}/fire", null);
        await app.WaitForFinishedAsync(workflowId, fired.GetProperty("executionId").GetString()!);
        var folder = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "TestResults", "explorer-screenshots");
        Directory.CreateDirectory(folder);
        foreach (var (path, file, heading) in new[]
        {
            ("/", "explorer-workflows", "Workflows"),
            ($"/workflows/{workflowId}", "explorer-workflow", "screenshot-"),
            ("/deploy", "explorer-deploy", "Deploy a sample workflow"),
            ("/dons", "explorer-dons", "DONs"),
            ("/requests", "explorer-requests", "Capability requests"),
        })
        {
            var page = await app.OpenAsync(path, height: 1900);
            await Expect(page.Locator("h1")).ToContainTextAsync(heading);
            if (file == "explorer-workflow")
            {
                await Expect(page.Locator("#executions tbody tr").First).ToHaveAttributeAsync("data-status", "succeeded");
            }

            if (file == "explorer-dons")
            {
                await Expect(page.Locator("#enclave")).ToContainTextAsync("PCR0");
            }

            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, file + ".png") });
            await page.Context.CloseAsync();
        }
    });

    /// <summary>The folder the explorer deploys into, as the AppHost gave it (Explorer__ArtifactsFolder).</summary>
    private async Task<string> ArtifactsFolderAsync()
    {
#pragma warning disable CS0618 // the simplest read of a resource's environment (as TopologyModelTests does)
        var explorer = app.Model.Resources.OfType<IResourceWithEnvironment>().Single(r => r.Name == "explorer");
        var environment = await explorer.GetEnvironmentVariableValuesAsync();
#pragma warning restore CS0618
        return environment["Explorer__ArtifactsFolder"];
    }

    private async Task<int> RegisteredCountAsync()
    {
        using var response = await app.Http.GetAsync(new Uri(app.ExplorerUrl, "api/workflows"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetArrayLength();
    }

    private async Task<JsonElement> PostAsync(string path, object? body, HttpStatusCode? alsoAccepted = null)
    {
        using var response = await app.Http.PostAsync(new Uri(app.ExplorerUrl, path), body is null ? null : JsonContent.Create(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK || response.StatusCode == alsoAccepted, $"POST {path} answered {(int)response.StatusCode}: {text}\n{app.ExplorerLog()}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static string Unique(string name) => $"{name}-{Guid.NewGuid().ToString("N")[..6]}";

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}
