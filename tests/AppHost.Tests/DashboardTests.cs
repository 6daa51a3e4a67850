using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using CreAspire.EndToEnd.Tests;
using CreAspire.Telemetry.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace CreAspire.AppHost.Tests;

/// <summary>
/// What a user sees in the Aspire dashboard under <c>dotnet run --project AppHost</c>: the default topology started as a
/// real process (the dashboard on, as the http launch profile has it, on free ports), read through the dashboard's
/// telemetry API (<c>/api/telemetry/</c>, the store its pages draw) and its pages in Debian's headless Chromium.
/// </summary>
[Collection(AppHostProcessCollection.Name)]
public sealed class DashboardTests(DashboardTests.DefaultTopology topology, ITestOutputHelper output) : IClassFixture<DashboardTests.DefaultTopology>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    /// <summary>The default topology's services (every one is a .NET service exporting OTLP to the dashboard).</summary>
    private static readonly string[] Services =
    [
        "gateway", "enclave", "explorer",
        .. Enumerable.Range(0, 4).SelectMany(i => new[] { $"wf-{i}", $"relay-{i}", $"cap-{i}" }),
    ];

    [Fact]
    public async Task A_confidential_execution_is_one_trace_in_the_dashboard_with_every_hop_and_the_explorer_links_to_its_waterfall()
    {
        var app = topology;
        var deployed = await app.PostExplorerAsync("api/workflows", new { sample = "confidential-mock", name = $"dashboard-trace-{Guid.NewGuid():N}"[..24], confidential = true, schedule = "0 0 0 1 1 *" });
        var workflowId = deployed.GetProperty("workflowId").GetString()!;
        var fired = await app.PostExplorerAsync($"api/workflows/{workflowId}/fire", null);
        var executionId = fired.GetProperty("executionId").GetString()!;

        // The dashboard holds the execution as one trace with every hop of the confidential path, F = 1 in every DON.
        var trace = await app.Dashboard.WaitForExecutionTraceAsync(executionId, ExecutionTraces.Confidential(1, 1, 1), Timeout);
        output.WriteLine(TraceTree.Render(trace));
        var services = trace.Select(s => s.Service).Distinct(StringComparer.Ordinal).ToList();
        Assert.Contains("gateway", services);
        Assert.Contains("enclave", services);
        Assert.True(services.Count(s => s.StartsWith("wf-", StringComparison.Ordinal)) >= 2, string.Join(", ", services));
        Assert.True(services.Count(s => s.StartsWith("relay-", StringComparison.Ordinal)) >= 3, string.Join(", ", services));
        Assert.True(services.Count(s => s.StartsWith("cap-", StringComparison.Ordinal)) >= 2, string.Join(", ", services));

        // Every workflow node recorded it as succeeded (the explorer reads them).
        await Eventually.WaitAsync($"execution {executionId} succeeded on every workflow node", async () =>
        {
            var nodes = await app.Http.GetFromJsonAsync<JsonElement>(new Uri(app.ExplorerUrl, $"api/workflows/{workflowId}/executions"));
            return nodes.EnumerateObject().Count() == 4 && nodes.EnumerateObject().All(n => n.Value.GetProperty("executions").ValueKind == JsonValueKind.Array &&
                n.Value.GetProperty("executions").EnumerateArray().Any(e => e.GetProperty("executionId").GetString() == executionId && e.GetProperty("status").GetString() == "succeeded"));
        }, Timeout);

        // The explorer's trace link of that execution is the dashboard's waterfall of it, and the waterfall names every hop.
        var traceId = ExecutionTraces.TraceIdOf(executionId);
        output.WriteLine($"execution {executionId} succeeded on every workflow node; opening the explorer");
        var explorer = await app.OpenAsync(app.ExplorerUrl, $"/workflows/{workflowId}", height: 1400);
        await explorer.Locator("[data-interactive=true]").WaitForAsync();
        var href = await explorer.Locator($"#executions tbody tr[data-execution='{executionId}'] a.trace").First.GetAttributeAsync("href");
        output.WriteLine($"the explorer's trace link: {href}");
        Assert.Equal($"{app.DashboardUrl.ToString().TrimEnd('/')}/traces/detail/{traceId}", href);

        var waterfall = await app.OpenAsync(app.DashboardUrl, $"/traces/detail/{traceId}", height: 1600);
        var screenshots = Path.Combine(RepositoryRoot(), "TestResults", "dashboard-screenshots");
        Directory.CreateDirectory(screenshots);
        foreach (var hop in new[] { "cron.fire", "workflow.execute", "confidential.delegate", "enclave.quorum", "enclave.run", "gateway.relay", "relay.handle", "don.call", "capability.execute mock@1.0.0" })
        {
            try
            {
                await Assertions.Expect(waterfall.GetByText(hop, new() { Exact = false }).First).ToBeVisibleAsync(new() { Timeout = 60_000 });
            }
            catch (Exception ex) when (ex is PlaywrightException or TimeoutException)
            {
                var failed = Path.Combine(screenshots, "dashboard-trace-failed.png");
                await waterfall.ScreenshotAsync(new() { Path = failed, FullPage = true });
                throw new InvalidOperationException($"The dashboard's waterfall of trace {traceId} does not show '{hop}' (page saved as {failed}): {ex.Message}", ex);
            }
        }

        var screenshot = Path.Combine(screenshots, "dashboard-trace.png");
        await waterfall.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
        output.WriteLine($"waterfall of trace {traceId}: {screenshot}");

        // The console log page of wf-0 shows what the process just wrote. The page names a resource by its DCP name, the
        // resource name and the suffix DCP gave it, which the service also reports as its service.instance.id.
        var wf0 = (await app.Dashboard.ResourcesAsync()).Single(r => r.Name == "wf-0");
        output.WriteLine($"wf-0 in the dashboard: {wf0}");
        var console = await app.OpenAsync(app.DashboardUrl, $"/consolelogs/resource/{wf0.Name}-{wf0.InstanceId}");
        await Assertions.Expect(console.GetByRole(AriaRole.Combobox).First).ToHaveTextAsync("wf-0", new() { Timeout = 60_000 });
        await Assertions.Expect(console.GetByText($"execution {executionId}", new() { Exact = false }).First).ToBeVisibleAsync(new() { Timeout = 60_000 });
    }

    [Fact]
    public async Task Every_service_sends_the_dashboard_its_structured_logs_traces_and_metrics()
    {
        var app = topology;
        IReadOnlyList<DashboardResource> reported = [];
        string Missing() => string.Join("; ", Services.Select(name => (name, r: reported.FirstOrDefault(r => r.Name == name)))
            .Where(x => x.r is null || !x.r.HasLogs || !x.r.HasMetrics || !x.r.HasTraces)
            .Select(x => x.r is null ? $"{x.name}: nothing" : $"{x.name}: logs {x.r.HasLogs}, traces {x.r.HasTraces}, metrics {x.r.HasMetrics}"));
        try
        {
            await Eventually.WaitAsync("structured logs, traces and metrics of every service in the dashboard", async () =>
            {
                reported = await app.Dashboard.ResourcesAsync();
                return Missing().Length == 0;
            }, Timeout);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"{ex.Message} Missing: {Missing()}", ex);
        }

        // What the records say: a node's start-up log (its database migrations) and the server span of a request of ours.
        Assert.Contains(await app.Dashboard.LogMessagesAsync("wf-0"), m => m.StartsWith("Applied migration", StringComparison.Ordinal));
        var wf0 = await app.Http.GetFromJsonAsync<JsonElement>(new Uri(app.ExplorerUrl, "api/workflows"));
        Assert.Equal(JsonValueKind.Array, wf0.ValueKind);
        await Eventually.WaitAsync("the explorer's server span of GET /api/workflows in the dashboard", async () =>
            (await app.Dashboard.SpansAsync("explorer")).Any(s => s.Kind == ActivityKind.Server && s.Attribute("http.route") == "/api/workflows"),
            Timeout);
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "CreAspire.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException($"No CreAspire.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>
    /// The default topology under <c>dotnet run</c>, its dashboard's pages and telemetry API open without the login token
    /// (ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS, which the AppHost passes on as the API's Unsecured mode), and a browser.
    /// Everything is stopped when the class is done, also after a failure.
    /// </summary>
    public sealed class DefaultTopology : IAsyncLifetime
    {
        private AppHostProcess? _host;
        private IPlaywright? _playwright;
        private IBrowser? _browser;

        public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(60) };

        public Uri DashboardUrl => _host!.DashboardUrl!;

        public Uri ExplorerUrl { get; private set; } = null!;

        public DashboardTelemetry Dashboard { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            _host = AppHostProcess.StartWithDotnetRun(
                new Dictionary<string, string> { ["ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS"] = "true" },
                "--port-base", "0", "--containers", "false");
            try
            {
                await _host.WaitUntilUpAsync(TimeSpan.FromMinutes(5));
                ExplorerUrl = await _host.LinkAsync("Explorer", TimeSpan.FromSeconds(10));
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                throw new InvalidOperationException($"The AppHost did not come up: {ex.Message}\n{_host.Output}", ex);
            }

            Dashboard = new DashboardTelemetry(DashboardUrl, Http);
            await Eventually.WaitAsync($"the dashboard's telemetry API at {DashboardUrl}", async () =>
            {
                using var response = await Http.GetAsync(new Uri(DashboardUrl, "api/telemetry/resources"));
                return response.IsSuccessStatusCode;
            }, Timeout);
            _playwright = await Playwright.CreateAsync();
            _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = File.Exists("/usr/bin/chromium")
                    ? "/usr/bin/chromium"
                    : throw new InvalidOperationException("The dashboard tests drive Debian's Chromium at /usr/bin/chromium: install it with `apt-get install -y chromium` (.ci/run does)."),
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            });
        }

        public async Task<JsonElement> PostExplorerAsync(string path, object? body)
        {
            using var response = await Http.PostAsJsonAsync(new Uri(ExplorerUrl, path), body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"POST {path} answered {(int)response.StatusCode}: {text}");
            return JsonDocument.Parse(text).RootElement.Clone();
        }

        /// <summary>A fresh page (own context) at <paramref name="path"/> of <paramref name="site"/>.</summary>
        public async Task<IPage> OpenAsync(Uri site, string path, int height = 1000)
        {
            var context = await _browser!.NewContextAsync(new BrowserNewContextOptions { BaseURL = site.ToString(), ViewportSize = new ViewportSize { Width = 1600, Height = height } });
            context.SetDefaultTimeout(60_000); // a cold Blazor page on a loaded 2-core machine
            var page = await context.NewPageAsync();
            await page.GotoAsync(path);
            return page;
        }

        public async Task DisposeAsync()
        {
            try
            {
                if (_browser is not null)
                {
                    await _browser.DisposeAsync();
                }

                _playwright?.Dispose();
                Http.Dispose();
            }
            finally
            {
                if (_host is not null)
                {
                    await _host.DisposeAsync();
                }
            }
        }
    }
}
