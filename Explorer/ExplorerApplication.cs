using System.Text.Json.Serialization;
using CreAspire.Chain.Configuration;
using CreAspire.Explorer.Apis;
using CreAspire.Explorer.Components;
using CreAspire.Explorer.Configuration;
using CreAspire.Explorer.Sources;
using CreAspire.Operations.Actions;
using CreAspire.Operations.Registry;
using CreAspire.Operations.Samples;
using Microsoft.Extensions.Options;
using Microsoft.FluentUI.AspNetCore.Components;

namespace CreAspire.Explorer;

/// <summary>Builds the explorer: options, the registry adapter, the node directory, the snapshot collector, the pages and the JSON API.</summary>
public static class ExplorerApplication
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        // Package assets (FluentUI's scripts and styles) are served from the build output in every environment, as the
        // AppHost runs the built explorer rather than a publish folder.
        builder.WebHost.UseStaticWebAssets();
        builder.AddServiceDefaults();
        var services = builder.Services;

        services.AddOptions<ExplorerOptions>().BindConfiguration(ExplorerOptions.SectionName).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ExplorerOptions>, ExplorerOptionsValidator>();
        services.AddOptions<ChainOptions>().Configure(o => ChainOptions.Bind(o, builder.Configuration)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp =>
        {
            var chain = sp.GetRequiredService<IOptions<ChainOptions>>().Value;
            return new ChainRegistry(new ChainRegistryOptions(chain.RpcUrl, chain.WorkflowRegistry, chain.CapabilitiesRegistry), sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<IRegistryReader>(sp => sp.GetRequiredService<ChainRegistry>());
        services.AddSingleton<IWorkflowOwnerOperations>(sp => sp.GetRequiredService<ChainRegistry>());
        services.AddSingleton<NodeDirectory>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<ExplorerOptions>>().Value;
            var nodes = sp.GetRequiredService<NodeDirectory>();
            return new WorkflowActions(
                sp.GetRequiredService<IRegistryReader>(), sp.GetRequiredService<IWorkflowOwnerOperations>(), nodes.WorkflowNodes,
                new SampleCatalog(options.WasmFolder), new ArtifactPublisher(ArtifactsFolder(options), ArtifactsUrl(nodes)),
                new ActionOptions { NodeTimeout = options.NodeTimeout }, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<ExplorerState>();
        services.AddHostedService<SnapshotCollector>();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddFluentUIComponents();

        var app = builder.Build();
        // Fail at start, naming the setting, rather than on the first deploy: registry addresses, artifacts folder and URL.
        app.Services.GetRequiredService<WorkflowActions>();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapDefaultEndpoints();
        app.MapActionApis();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        return app;
    }

    private static string ArtifactsFolder(ExplorerOptions options) =>
        string.IsNullOrWhiteSpace(options.ArtifactsFolder)
            ? throw new InvalidOperationException("Explorer:ArtifactsFolder is not set: deploying needs the folder the artifacts server serves (Explorer__ArtifactsFolder).")
            : options.ArtifactsFolder;

    private static Uri ArtifactsUrl(NodeDirectory nodes) =>
        Uri.TryCreate(nodes.ArtifactsUrl, UriKind.Absolute, out var url)
            ? url
            : throw new InvalidOperationException(
                $"The artifacts server's URL is not set ('{nodes.ArtifactsUrl}'): set Explorer__ArtifactsUrl or reference the 'artifacts' resource (services__artifacts__http__0).");
}
