using Aspire.Hosting.ApplicationModel;
using CreAspire.Hosting.Artifacts;
using CreAspire.Hosting.Run;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Aspire.Hosting;

/// <summary>AddArtifactsServer: serves a folder over HTTP on a loopback port (reference it for services__name__http__0).</summary>
public static class ArtifactsServerBuilderExtensions
{
    public static IResourceBuilder<ArtifactsServerResource> AddArtifactsServer(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, string folder, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var resource = new ArtifactsServerResource(name, Path.GetFullPath(folder, builder.AppHostDirectory));
        var chosenPort = port ?? FreePorts.Next();
        var server = new ArtifactsServer(resource, chosenPort);
        builder.Eventing.Subscribe<InitializeResourceEvent>(resource, async (e, ct) =>
        {
            e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping.Register(() => server.StopAsync().GetAwaiter().GetResult());
            await server.StartAsync(e.Logger, ct).ConfigureAwait(false);
            await e.Notifications.PublishUpdateAsync(resource, s => s with
            {
                State = new ResourceStateSnapshot(KnownResourceStates.Running, KnownResourceStateStyles.Success),
                StartTimeStamp = DateTime.UtcNow,
            }).ConfigureAwait(false);
        });
        var key = $"{name}_check";
        builder.Services.AddHealthChecks().Add(new(key, _ => new ArtifactsServerHealthCheck(server), failureStatus: null, tags: null));
        return builder.AddResource(resource)
            .WithHttpEndpoint(port: chosenPort, targetPort: chosenPort, name: ArtifactsServerResource.PrimaryEndpointName, isProxied: false)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "ArtifactsServer",
                State = KnownResourceStates.Starting,
                Properties = [new ResourcePropertySnapshot("artifacts.folder", resource.RootDirectory)],
            })
            .WithHealthCheck(key)
            .WithIconName("DocumentFolder")
            .ExcludeFromManifest();
    }
}
