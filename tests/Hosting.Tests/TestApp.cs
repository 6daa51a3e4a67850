using CreAspire.Hosting;
using CreAspire.Hosting.Testing;

namespace CreAspire.Hosting.Tests;

/// <summary>Shared test settings: the stand-in service project and a builder with quick probes.</summary>
internal static class TestApp
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(90);

    /// <summary>Relative to the AppHost folder, like the real service projects.</summary>
    public const string TestServiceProject = "../tests/Hosting.TestService";

    public static IDistributedApplicationTestingBuilder CreateBuilder(Action<DistributedApplicationOptions>? configure = null) =>
        DistributedApplicationTestingBuilder.Create([], options =>
        {
            options.HealthProbeInterval = TimeSpan.FromMilliseconds(200);
            options.StartupTimeout = TimeSpan.FromSeconds(45);
            configure?.Invoke(options);
        });

    public static IResourceBuilder<ProjectResource> AddTestService(this IDistributedApplicationBuilder builder, string name) =>
        builder.AddProject(name, TestServiceProject).WithHttpEndpoint().WithHttpHealthCheck("/health");

    /// <summary>Starts the app; on failure the exception carries every resource's state and last log lines.</summary>
    public static async Task StartOrDescribeAsync(this DistributedApplication app)
    {
        try
        {
            await app.StartAsync().WaitAsync(DefaultTimeout);
        }
        catch (Exception ex) when (ex is DistributedApplicationException or TimeoutException)
        {
            throw new InvalidOperationException($"{ex.Message}\n--- resources ---\n{app.DescribeResources()}", ex);
        }
    }

    public static async Task<Dictionary<string, string?>> GetEnvironmentAsync(this DistributedApplication app, string resource)
    {
        using var client = app.CreateHttpClient(resource);
        return await client.GetFromJsonAsync<Dictionary<string, string?>>("/env") ?? [];
    }
}
