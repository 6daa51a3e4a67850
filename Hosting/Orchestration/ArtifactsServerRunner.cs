using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace CreAspire.Hosting.Orchestration;

/// <summary>Serves the artifacts folder over HTTP from inside the AppHost (any file type, as application/octet-stream by default).</summary>
internal sealed class ArtifactsServerRunner(ArtifactsServerResource resource, RunContext context) : ResourceRunner(resource, context)
{
    private WebApplication? _app;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var root = Path.GetFullPath(resource.RootDirectory, Context.AppHostDirectory);
        Directory.CreateDirectory(root);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls(resource.GetEndpoint().ToString());
        var app = builder.Build();
        app.MapGet("/health", () => Results.Text("Healthy"));
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(root),
            ServeUnknownFileTypes = true,
            DefaultContentType = "application/octet-stream",
            ContentTypeProvider = new FileExtensionContentTypeProvider(),
        });
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        _app = app;
        Context.Log(resource, $"Serving {root} at {resource.GetEndpoint()}");
    }

    public override async Task StopAsync()
    {
        if (_app is { } app)
        {
            await app.StopAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            _app = null;
        }
    }
}
