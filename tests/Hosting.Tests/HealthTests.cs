using CreAspire.Hosting.Testing;

namespace CreAspire.Hosting.Tests;

/// <summary>Health probing: Running until the first good probe, then Healthy ⇄ Unhealthy as the probe answers.</summary>
public sealed class HealthTests
{
    [Fact]
    public async Task A_service_moves_between_healthy_and_unhealthy_as_its_health_endpoint_changes()
    {
        var failFile = Path.Combine(Path.GetTempPath(), $"creaspire-health-{Guid.NewGuid():N}");
        var builder = TestApp.CreateBuilder();
        builder.AddTestService("svc").WithEnvironment("TEST_HEALTH_FAIL_FILE", failFile);
        await using var app = await builder.BuildAsync();
        await app.StartOrDescribeAsync();
        using var timeout = new CancellationTokenSource(TestApp.DefaultTimeout);

        await File.WriteAllTextAsync(failFile, "fail", timeout.Token);
        var unhealthy = await app.ResourceNotifications.WaitForResourceAsync("svc", KnownResourceStates.Unhealthy, timeout.Token);
        File.Delete(failFile);
        var healthy = await app.ResourceNotifications.WaitForResourceAsync("svc", KnownResourceStates.Healthy, timeout.Token);

        Assert.Equal(ResourceHealthStatus.Unhealthy, unhealthy.HealthStatus);
        Assert.Contains("answered 503", unhealthy.Message, StringComparison.Ordinal);
        Assert.Equal(ResourceHealthStatus.Healthy, healthy.HealthStatus);
        Assert.True(healthy.Version > unhealthy.Version);
    }

    [Fact]
    public async Task A_service_that_never_becomes_healthy_fails_after_the_startup_timeout_with_the_probe_answer()
    {
        var builder = TestApp.CreateBuilder(o => o.StartupTimeout = TimeSpan.FromSeconds(4));
        builder.AddTestService("stuck").WithEnvironment("TEST_HEALTH_DELAY_MS", "600000");
        await using var app = await builder.BuildAsync();

        var ex = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync().WaitAsync(TestApp.DefaultTimeout));

        Assert.StartsWith("The 'stuck' resource failed to start: it did not become healthy within 4 s (GET http://127.0.0.1:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("answered 503 Service Unavailable)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("test service listening", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Waiting_for_health_names_the_resource_and_the_goal_when_it_times_out()
    {
        var builder = TestApp.CreateBuilder(o => o.WaitForResourcesOnStart = false);
        builder.AddTestService("slow").WithEnvironment("TEST_HEALTH_DELAY_MS", "600000");
        await using var app = await builder.BuildAsync();
        await app.StartAsync();

        var ex = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.WaitForResourceHealthyAsync("slow", TimeSpan.FromSeconds(2)));

        Assert.StartsWith("The 'slow' resource did not become healthy within 2 s (it is ", ex.Message, StringComparison.Ordinal);
    }
}
