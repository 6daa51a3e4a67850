using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;

namespace CreAspire.Explorer.Tests;

/// <summary>The explorer in a real browser: pages render, updates arrive without a reload, actions show per-node outcomes and readable errors.</summary>
[Collection(ExplorerCollection.Name)]
public sealed class ExplorerPageTests(ExplorerFixture explorer)
{
    [Fact]
    public async Task Deploying_a_confidential_sample_from_the_page_shows_it_active_on_every_workflow_node()
    {
        var page = await explorer.OpenAsync("/deploy");
        await SelectSampleAsync(page, "hello-cron");
        await SelectSampleAsync(page, "confidential-mock");
        await page.Locator("#name input").FillAsync("page-deploy");
        await page.Locator("#schedule input").FillAsync("0 0 0 1 1 *");
        await page.Locator("#deploy").ClickAsync();

        var result = page.Locator("#action-result");
        await Expect(result).ToHaveAttributeAsync("data-succeeded", "true");
        await Expect(result).ToContainTextAsync("active on every workflow node");
        await Expect(page.Locator("#action-nodes tbody tr")).ToHaveCountAsync(4);
        foreach (var node in explorer.Topology.WorkflowNodes)
        {
            await Expect(page.Locator($"#action-nodes tr[data-node='{node.Name}']")).ToContainTextAsync("active");
        }

        await page.Locator("#action-result a").ClickAsync();
        await Expect(page.Locator("#confidential")).ToContainTextAsync("yes: runs in the enclave");
        await Expect(page.Locator("#attributes")).ToContainTextAsync("\"vault_don_secrets\"");
        await Expect(page.Locator("#node-views tr[data-node='wf-3']")).ToContainTextAsync("confidential");
    }

    [Fact]
    public async Task Firing_from_the_workflow_page_shows_the_execution_on_every_node_with_its_decoded_result_and_the_mock_request()
    {
        var deployed = await DeployAsync("fire-from-page", confidential: true);
        var page = await explorer.OpenAsync($"/workflows/{deployed}");
        await Expect(page.Locator("#no-executions")).ToBeVisibleAsync();

        await page.Locator("#fire").ClickAsync();

        await Expect(page.Locator("#action-result")).ToHaveAttributeAsync("data-succeeded", "true");
        await Expect(page.Locator("#action-result")).ToContainTextAsync("started on every workflow node");
        // The execution arrives through the live refresh, not a reload.
        var execution = page.Locator("#executions tbody tr").First;
        await Expect(execution).ToHaveAttributeAsync("data-status", "succeeded");
        foreach (var node in explorer.Topology.WorkflowNodes)
        {
            await Expect(execution.Locator($".per-node[data-node='{node.Name}']")).ToContainTextAsync("succeeded");
        }

        await Expect(execution.Locator("pre.json")).ToContainTextAsync("\"decodedAs\": \"capabilities.mock.v1.MockOutput\"");
        await Expect(execution.Locator("pre.json")).ToContainTextAsync("\"message\": \"fire-from-page-");
        var trace = await execution.Locator("a.trace").GetAttributeAsync("href");
        Assert.StartsWith($"{explorer.DashboardUrl}/traces/detail/", trace, StringComparison.Ordinal);

        var executionId = await execution.GetAttributeAsync("data-execution");
        await page.GotoAsync("/requests");
        await Expect(page.Locator($"#mock-requests tr[data-execution='{executionId}']")).ToHaveCountAsync(2);
        await Expect(page.Locator($"#mock-requests tr[data-execution='{executionId}']").First).ToContainTextAsync("\"message\": \"fire-from-page-");
        await Expect(page.Locator($"#mock-requests tr[data-execution='{executionId}']").First).ToContainTextAsync("relay (#2)");
        await Expect(page.Locator($"#vault-requests tr[data-execution='{executionId}']").First).ToContainTextAsync("MOCK_SECRET");
        await Expect(page.Locator($"#vault-requests tr[data-execution='{executionId}']").First).ToContainTextAsync("sealed");
        Assert.DoesNotContain(explorer.Topology.SecretValue, await page.ContentAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_node_that_does_not_fire_is_shown_with_its_reason_and_the_fire_is_not_reported_as_success()
    {
        var deployed = await DeployAsync("partial-fire", confidential: false);
        var page = await explorer.OpenAsync($"/workflows/{deployed}");
        explorer.Topology.Node("wf-2").Refusing = true;
        try
        {
            await page.Locator("#fire").ClickAsync();

            var result = page.Locator("#action-result");
            await Expect(result).ToHaveAttributeAsync("data-succeeded", "false");
            await Expect(result).ToContainTextAsync("1 of 4 workflow nodes did not start it");
            await Expect(page.Locator("#action-nodes tr[data-node='wf-2']")).ToContainTextAsync("NotActive");
            await Expect(page.Locator("#action-nodes tr[data-node='wf-2']")).ToContainTextAsync("activation-failed");
            await Expect(page.Locator("#action-nodes tr[data-node='wf-1']")).ToContainTextAsync("Started");
        }
        finally
        {
            explorer.Topology.Node("wf-2").Refusing = false;
        }
    }

    [Theory]
    [InlineData("a-name-that-is-far-too-long-for-the-workflow-registry-which-allows-sixty-four", "*/30 * * * * *", "the WorkflowRegistry allows at most 64")]
    [InlineData("bad-schedule", "every minute", "is not a 6-field cron schedule")]
    [InlineData("", "*/30 * * * * *", "A workflow name is required")]
    public async Task Bad_input_gets_a_readable_message_in_the_page_and_registers_nothing(string name, string schedule, string message)
    {
        var before = (await explorer.Registry.ListWorkflowsAsync("zone-a", CancellationToken.None)).Count;
        var page = await explorer.OpenAsync("/deploy");
        await page.Locator("#name input").FillAsync(name);
        await page.Locator("#schedule input").FillAsync(schedule);
        await page.Locator("#deploy").ClickAsync();

        await Expect(page.Locator("#action-result")).ToHaveAttributeAsync("data-succeeded", "false");
        await Expect(page.Locator("#action-error")).ToContainTextAsync(message);
        Assert.Equal(before, (await explorer.Registry.ListWorkflowsAsync("zone-a", CancellationToken.None)).Count);
        Assert.Empty(Directory.GetFiles(explorer.ArtifactsFolder, "bad-schedule*"));
    }

    [Fact]
    public async Task A_workflow_deployed_elsewhere_appears_on_the_open_workflows_page_without_a_reload()
    {
        var page = await explorer.OpenAsync("/");
        await page.EvaluateAsync("() => window.__sameDocument = true");

        var deployed = await DeployAsync("appears-live", confidential: false);

        var row = page.Locator($"#workflows tr[data-workflow='{deployed}']");
        await Expect(row).ToContainTextAsync("appears-live");
        await Expect(row.Locator("td[data-node='wf-3']")).ToContainTextAsync("active");
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was reloaded");
    }

    [Fact]
    public async Task Pause_activate_and_delete_from_the_page_go_through_the_registry_and_every_node_follows()
    {
        var deployed = await DeployAsync("lifecycle", confidential: false);
        var page = await explorer.OpenAsync($"/workflows/{deployed}");

        await page.Locator("#pause").ClickAsync();
        await Expect(page.Locator("#action-result")).ToContainTextAsync("Paused in the registry");
        await Expect(page.Locator("#action-result")).ToHaveAttributeAsync("data-succeeded", "true");
        await Expect(page.Locator("#node-views tr[data-node='wf-0']")).ToContainTextAsync("paused");

        await page.Locator("#activate").ClickAsync();
        await Expect(page.Locator("#action-result")).ToContainTextAsync("Activated in the registry");
        await Expect(page.Locator("#node-views tr[data-node='wf-0']")).ToContainTextAsync("active");

        await page.Locator("#delete").ClickAsync();
        await page.Locator("#confirm-delete").ClickAsync();
        await Expect(page.Locator("#action-result")).ToContainTextAsync("Deleted in the registry");
        await Expect(page.Locator("#not-found")).ToBeVisibleAsync();
        Assert.Null(await explorer.Registry.FindWorkflowAsync(deployed, CancellationToken.None));
    }

    [Fact]
    public async Task The_dons_page_shows_each_DON_from_the_CapabilitiesRegistry_with_its_nodes_and_the_enclave_identity()
    {
        var page = await explorer.OpenAsync("/dons");

        foreach (var don in explorer.Registries.DonIds.Keys)
        {
            await Expect(page.Locator($"section[data-don='{don}']")).ToContainTextAsync("F");
        }

        var workflow = page.Locator("section[data-don='workflow']");
        await Expect(workflow).ToContainTextAsync("cron-trigger@1.0.0");
        await Expect(workflow.Locator("tbody tr")).ToHaveCountAsync(4);
        await Expect(workflow.Locator("tbody tr").First).ToContainTextAsync("wf-0");
        await Expect(workflow.Locator("tbody tr").First).ToContainTextAsync("→ cap-1 open");
        await Expect(page.Locator("section[data-don='capability'] tbody tr").First).ToContainTextAsync("← wf-0");
        await Expect(page.Locator("section[data-don='relay'] tbody tr").First).ToContainTextAsync("connected");
        await Expect(page.Locator("#root-fingerprint")).ToContainTextAsync("SHA-256 ");
        await Expect(page.Locator("#enclave")).ToContainTextAsync("PCR0");
    }

    private static async Task SelectSampleAsync(IPage page, string sample)
    {
        await page.Locator("#sample").ClickAsync();
        await page.Locator($"#sample fluent-option[value='{sample}']").ClickAsync();
        await Expect(page.Locator("#sample")).ToContainTextAsync(sample);
    }

    private async Task<string> DeployAsync(string name, bool confidential)
    {
        var unique = $"{name}-{Guid.NewGuid().ToString("N")[..6]}";
        using var response = await explorer.Http.PostAsJsonAsync(new Uri(explorer.BaseUrl, "api/workflows"),
            new { sample = confidential ? "confidential-mock" : "hello-cron", name = unique, confidential, schedule = "0 0 0 1 1 *" });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"deploy answered {(int)response.StatusCode}: {body}\n{explorer.Output}");
        return JsonDocument.Parse(body).RootElement.GetProperty("workflowId").GetString()!;
    }

    private static ILocatorAssertions Expect(ILocator locator) => Assertions.Expect(locator);
}

/// <summary>Every page renders its heading; a screenshot of each lands in TestResults/explorer-screenshots (for review, not compared).</summary>
[Collection(ExplorerCollection.Name)]
public sealed class ExplorerScreenshotTests(ExplorerFixture explorer)
{
    [Fact]
    public async Task Every_page_renders_and_is_captured()
    {
        using var response = await explorer.Http.PostAsync(new Uri(explorer.BaseUrl, "api/workflows"),
            System.Net.Http.Json.JsonContent.Create(new { sample = "confidential-mock", name = $"screenshot-{Guid.NewGuid().ToString("N")[..6]}", confidential = true, schedule = "0 0 0 1 1 *" }));
        var workflowId = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("workflowId").GetString();
        using var fire = await explorer.Http.PostAsync(new Uri(explorer.BaseUrl, $"api/workflows/{workflowId}/fire"), null);
        var folder = Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "TestResults", "explorer-screenshots");
        Directory.CreateDirectory(folder);

        foreach (var (path, name, heading) in new[]
        {
            ("/", "workflows", "Workflows"),
            ($"/workflows/{workflowId}", "workflow", "screenshot-"),
            ("/deploy", "deploy", "Deploy a sample workflow"),
            ("/dons", "dons", "DONs"),
            ("/requests", "requests", "Capability requests"),
        })
        {
            // Tall enough that the scrolling content area shows everything in one picture.
            var page = await explorer.OpenAsync(path, height: 1900);
            await Microsoft.Playwright.Assertions.Expect(page.Locator("h1")).ToContainTextAsync(heading);
            if (name == "workflow")
            {
                await Microsoft.Playwright.Assertions.Expect(page.Locator("#executions tbody tr").First).ToHaveAttributeAsync("data-status", "succeeded");
            }

            await page.ScreenshotAsync(new() { Path = Path.Combine(folder, name + ".png") });
            await page.Context.CloseAsync();
        }
    }
}
