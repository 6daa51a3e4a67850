using System.Net;
using System.Text.Json;
using CreAspire.AppHost.Samples;
using CreAspire.Telemetry.Testing;
using Xunit.Abstractions;

namespace CreAspire.EndToEnd.Tests;

/// <summary>
/// Issue 14's acceptance 2 and issue 16's acceptance 2 against the real Aspire dashboard: the services' structured logs,
/// traces and metrics reach it, and one confidential execution is one trace there with every hop. Read through the
/// dashboard's telemetry HTTP API (GET /api/telemetry/spans, /logs, /traces/{traceId}: OTLP JSON in a
/// {"data": ..., "totalCount", "returnedCount"} wrapper, X-API-Key).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class DashboardTelemetryTests(DashboardTopologyApp app, ITestOutputHelper output) : IClassFixture<DashboardTopologyApp>
{
    private const int F = 1;

    [Fact]
    public Task The_dashboard_holds_one_confidential_execution_as_one_trace_with_every_hop_and_the_services_structured_logs() =>
        ScenarioGuard.RunAsync(app, output, async () =>
        {
            var workflow = await app.DeployAsync("confidential-mock", "dashboard-confidential", SampleWorkflowDeployer.ConfidentialAttributes);
            await app.WaitForActiveAsync(workflow.WorkflowId);
            var executionId = await app.FireAsync(workflow.WorkflowId);
            var finished = await app.WaitForFinishedAsync(workflow.WorkflowId, executionId);
            Assert.All(finished.Values, e => Assert.Equal("succeeded", e.GetProperty("status").GetString()));
            var traceId = ExecutionTraces.TraceIdOf(executionId);
            output.WriteLine($"trace {traceId}: {app.DashboardUrl}traces/detail/{traceId} (log in with /login?t={app.BrowserToken})");

            using var dashboard = app.DashboardClient();
            IReadOnlyList<(string Service, string Span)> spans = [];
            await Eventually.WaitAsync($"the dashboard's trace {traceId} with spans of every hop", async () =>
            {
                using var response = await dashboard.GetAsync(new Uri($"api/telemetry/traces/{traceId}", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return false;
                }

                Assert.True(response.IsSuccessStatusCode, $"GET /api/telemetry/traces/{traceId} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                spans = Spans(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement, "resourceSpans");
                return HasEveryHop(spans);
            }, CreApp.DefaultTimeout);
            output.WriteLine(string.Join("\n", spans.Select(s => $"{s.Service}: {s.Span}")));

            // CREASPIRE_DASHBOARD_SCREENSHOT=<png>: also capture the dashboard's view of this trace (docs/dashboard-trace.png).
            if (Environment.GetEnvironmentVariable("CREASPIRE_DASHBOARD_SCREENSHOT") is { Length: > 0 } png)
            {
                await ChromiumScreenshot.TakeAsync(
                    new Uri(app.DashboardUrl, $"login?t={app.BrowserToken}"), new Uri(app.DashboardUrl, $"traces/detail/{traceId}"),
                    ["cron.fire", "enclave.run", "capability.execute mock@1.0.0"], Path.GetFullPath(png));
                output.WriteLine($"screenshot of the trace written to {Path.GetFullPath(png)}");
            }

            // Structured logs of every kind of service, in the dashboard.
            foreach (var resource in new[] { "wf-0", "relay-0", "cap-0", "gateway", "enclave" })
            {
                using var response = await dashboard.GetAsync(new Uri($"api/telemetry/logs?resource={resource}", UriKind.Relative));
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.IsSuccessStatusCode, $"GET /api/telemetry/logs?resource={resource} answered {(int)response.StatusCode}: {body}");
                var logs = Spans(JsonDocument.Parse(body).RootElement, "resourceLogs");
                Assert.True(logs.Count > 0, $"no structured log of {resource} in the dashboard: {body}");
                Assert.All(logs, l => Assert.Equal(resource, l.Service));
            }
        });

    [Fact]
    public async Task The_telemetry_API_refuses_a_request_without_the_API_key()
    {
        using var anonymous = new HttpClient { BaseAddress = app.DashboardUrl, Timeout = TimeSpan.FromSeconds(30) };
        using var response = await anonymous.GetAsync(new Uri("api/telemetry/spans", UriKind.Relative));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    /// <summary>F+1 workflow nodes, the enclave, the gateway, 2F+1 relays, F+1 capability nodes executing mock@1.0.0.</summary>
    private static bool HasEveryHop(IReadOnlyList<(string Service, string Span)> spans)
    {
        int Services(string prefix, string span) =>
            spans.Where(s => s.Service.StartsWith(prefix, StringComparison.Ordinal) && s.Span.StartsWith(span, StringComparison.Ordinal))
                .Select(s => s.Service).Distinct().Count();
        return Services("wf-", "cron.fire") >= F + 1 && Services("wf-", "confidential.delegate") >= F + 1
               && Services("enclave", "enclave.run") == 1 && Services("gateway", "gateway.relay") == 1
               && Services("relay-", "relay.handle") >= (2 * F) + 1
               && Services("cap-", "capability.execute mock@1.0.0") >= F + 1;
    }

    /// <summary>(service.name, span name or log body) of each record in an OTLP JSON answer's data.</summary>
    private static List<(string Service, string Span)> Spans(JsonElement answer, string resourceArray)
    {
        var records = new List<(string, string)>();
        var data = answer.GetProperty("data");
        if (!data.TryGetProperty(resourceArray, out var resources))
        {
            return records;
        }

        foreach (var resource in resources.EnumerateArray())
        {
            var service = resource.GetProperty("resource").GetProperty("attributes").EnumerateArray()
                .Where(a => a.GetProperty("key").GetString() == "service.name")
                .Select(a => a.GetProperty("value").GetProperty("stringValue").GetString()).FirstOrDefault() ?? "";
            var scopes = resource.GetProperty(resourceArray == "resourceSpans" ? "scopeSpans" : "scopeLogs");
            foreach (var scope in scopes.EnumerateArray())
            {
                var items = scope.GetProperty(resourceArray == "resourceSpans" ? "spans" : "logRecords");
                foreach (var item in items.EnumerateArray())
                {
                    records.Add((service, item.TryGetProperty("name", out var name) ? name.GetString() ?? "" : item.GetProperty("body").ToString()));
                }
            }
        }

        return records;
    }
}
