using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

namespace CreAspire.AppHost.Topology;

/// <summary>
/// The explorer as a resource: launched from its build output like the other services (health at /health, its URL in the
/// dashboard), with a service reference to every node it reads (it discovers them by name: wf-*, relay-*, cap-*, gateway,
/// enclave), the artifacts server and folder it deploys into, and the dashboard's URL for its trace links.
/// </summary>
public static class ExplorerResource
{
    public const string Name = "explorer";

    internal static IResourceBuilder<ServiceExecutableResource> AddExplorer(
        this CreTopologyBuilder cre, IResourceBuilder<ArtifactsServerResource> artifacts,
        IEnumerable<IResourceBuilder<ServiceExecutableResource>?> nodes, string? dashboardUrl)
    {
        var explorer = cre.AddService<Projects.CreAspire_Explorer>(Name, cre.Ports.Explorer)
            .WithReference(artifacts)
            .WithEnvironment("Explorer__ArtifactsFolder", cre.ArtifactsFolder)
            .WithIconName("BoardSplit");
        foreach (var node in nodes)
        {
            if (node is not null)
            {
                explorer.WithReference(node);
            }
        }

        if (!string.IsNullOrEmpty(dashboardUrl))
        {
            explorer.WithEnvironment("Explorer__DashboardUrl", dashboardUrl);
        }

        return explorer;
    }

    /// <summary>
    /// The dashboard's browser URL: the first of the AppHost's ASPNETCORE_URLS (launchSettings: http://localhost:18888), or
    /// null when the dashboard is off (the testing builder runs none).
    /// </summary>
    public static string? DashboardUrl(IConfiguration configuration)
    {
        if (string.Equals(configuration["DOTNET_DASHBOARD_ENABLED"] ?? configuration["ASPIRE_DASHBOARD_ENABLED"], "false", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return configuration["ASPNETCORE_URLS"]?.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
    }
}
