using System.Text.Json;
using CreAspire.Hosting.Testing;

namespace CreAspire.Hosting.Tests;

/// <summary>Two apps side by side, and the dashboard's JSON API.</summary>
public sealed class ParallelAppsAndDashboardTests
{
    [Fact]
    public async Task Two_apps_run_at_the_same_time_on_one_machine()
    {
        await using var first = await CreateAppAsync();
        await using var second = await CreateAppAsync();

        await Task.WhenAll(first.StartOrDescribeAsync(), second.StartOrDescribeAsync());

        Assert.NotEqual(first.GetEndpoint("svc"), second.GetEndpoint("svc"));
        Assert.NotEqual(first.DashboardUrl, second.DashboardUrl);
        Assert.NotEqual(first.RunDirectory, second.RunDirectory);
        foreach (var app in new[] { first, second })
        {
            using var client = app.CreateHttpClient("svc");
            Assert.Equal("Healthy", await client.GetStringAsync("/health"));
        }
    }

    [Fact]
    public async Task The_dashboard_lists_resources_and_their_console_logs_as_json()
    {
        await using var app = await CreateAppAsync();
        await app.StartOrDescribeAsync();
        using var http = new HttpClient { BaseAddress = app.DashboardUrl, Timeout = TimeSpan.FromSeconds(10) };

        using var resources = JsonDocument.Parse(await http.GetStringAsync("/api/resources"));
        var svc = resources.RootElement.EnumerateArray().Single(r => r.GetProperty("name").GetString() == "svc");
        using var logs = JsonDocument.Parse(await http.GetStringAsync("/api/resources/svc/logs"));
        using var missing = await http.GetAsync("/api/resources/nope/logs");
        var page = await http.GetStringAsync("/");

        Assert.Equal("Project", svc.GetProperty("kind").GetString());
        Assert.Equal("Healthy", svc.GetProperty("state").GetString());
        Assert.Equal("Healthy", svc.GetProperty("health").GetString());
        Assert.Equal(app.ResourceNotifications.GetSnapshot("svc").Pid, svc.GetProperty("pid").GetInt32());
        Assert.Equal(app.GetEndpoint("svc").ToString().TrimEnd('/'), svc.GetProperty("endpoints")[0].GetString());
        Assert.Contains(logs.RootElement.GetProperty("lines").EnumerateArray(),
            l => l.GetProperty("text").GetString()!.StartsWith("test service listening", StringComparison.Ordinal));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("CreAspire resources", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_are_written_under_the_run_directory()
    {
        await using var app = await CreateAppAsync();
        await app.StartOrDescribeAsync();

        var logFile = Path.Combine(app.RunDirectory, "logs", "svc.log");
        var text = await File.ReadAllTextAsync(logFile);

        Assert.Contains("test service listening", text, StringComparison.Ordinal);
    }

    private static async Task<DistributedApplication> CreateAppAsync()
    {
        var builder = TestApp.CreateBuilder();
        builder.AddTestService("svc");
        return await builder.BuildAsync();
    }
}
