using Aspire.Hosting;
using Aspire.Hosting.Testing;

namespace CreAspire.Hosting.Testing;

/// <summary>
/// A small Aspire app for component tests (a Postgres server, an Anvil chain): the testing builder outside any AppHost, with
/// DCP found through this assembly (it records DCP's path), no dashboard and random ports.
/// </summary>
internal static class TestApp
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(2);

    public static IDistributedApplicationTestingBuilder CreateBuilder(params string[] args) =>
        DistributedApplicationTestingBuilder.Create(
            [.. args, $"--DcpPublisher:CliPath={Metadata("dcpclipath")}", $"--DcpPublisher:DashboardPath={Metadata("aspiredashboardpath")}"]);

    /// <summary>DCP and the dashboard from the packages this assembly was built against (its assembly metadata).</summary>
    private static string Metadata(string key) => typeof(TestApp).Assembly
        .GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false).Cast<System.Reflection.AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == key)?.Value
        ?? throw new InvalidOperationException($"CreAspire.Hosting was built without the '{key}' metadata (Aspire orchestration packages).");

    /// <summary>Starts the app and waits until <paramref name="resource"/> is healthy; disposes the app if that fails.</summary>
    public static async Task<DistributedApplication> StartAsync(IDistributedApplicationTestingBuilder builder, string resource, CancellationToken cancellationToken)
    {
        var app = await builder.BuildAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(StartTimeout);
            await app.StartAsync(timeout.Token).ConfigureAwait(false);
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token).ConfigureAwait(false);
            return app;
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
