using System.Net;
using Aspire.Hosting.ApplicationModel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace CreAspire.Hosting.Artifacts;

/// <summary>Kestrel in the AppHost serving the artifacts folder (any file type, application/octet-stream by default).</summary>
internal sealed class ArtifactsServer(ArtifactsServerResource resource, int port)
{
    private WebApplication? _app;

    public Uri Url { get; } = new($"http://127.0.0.1:{port}/");

    public bool IsServing => _app is not null;

    public async Task StartAsync(ILogger log, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(resource.RootDirectory);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapGet("/health", () => Results.Text("Healthy"));
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(resource.RootDirectory),
            ServeUnknownFileTypes = true,
            DefaultContentType = "application/octet-stream",
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        log.LogInformation("Serving {Folder} at {Url}", resource.RootDirectory, Url);
    }

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _app, null) is { } app)
        {
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
        }
    }
}

internal sealed class ArtifactsServerHealthCheck(ArtifactsServer server) : IHealthCheck
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!server.IsServing)
        {
            return HealthCheckResult.Unhealthy("The artifacts server is not serving yet.");
        }

        try
        {
            using var response = await Http.GetAsync(new Uri(server.Url, "health"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"GET /health answered {(int)response.StatusCode}.");
        }
        catch (HttpRequestException ex)
        {
            return HealthCheckResult.Unhealthy($"GET {server.Url}health failed: {ex.Message}");
        }
    }
}
