// GetEnvironmentVariableValuesAsync(Publish) reads a model's environment in manifest form (see TopologyModelTests).
#pragma warning disable CS0618

using CreAspire.AppHost.Topology;
using Microsoft.Extensions.Configuration;

namespace CreAspire.AppHost.Tests;

/// <summary>The explorer resource in the AppHost's model: what it is given to find the chain, the nodes, the artifacts and the dashboard.</summary>
public sealed class ExplorerModelTests
{
    [Fact]
    public async Task The_explorer_references_every_node_the_artifacts_and_the_chain_on_a_port_of_its_own()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.CreAspire_AppHost>(["--containers", "false"]);
        var explorer = builder.Resources.OfType<ServiceExecutableResource>().Single(r => r.Name == ExplorerResource.Name);

        var env = await explorer.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);

        foreach (var node in new[] { "wf-0", "wf-3", "relay-0", "relay-3", "cap-0", "cap-3", "gateway", "enclave", "artifacts" })
        {
            Assert.True(env.ContainsKey($"services__{node}__http__0"), $"the explorer has no service reference to {node}");
        }

        Assert.Equal("{anvil.connectionString}", env["ConnectionStrings__chain"]);
        Assert.True(Path.IsPathRooted(env["Explorer__ArtifactsFolder"]), env["Explorer__ArtifactsFolder"]);
        Assert.True(explorer.TryGetEndpoints(out var endpoints));
        var endpoint = Assert.Single(endpoints);
        Assert.Equal("http", endpoint.Name);
        var others = builder.Resources.OfType<ServiceExecutableResource>().Where(r => r.Name != ExplorerResource.Name)
            .SelectMany(r => r.TryGetEndpoints(out var e) ? e : []).Select(e => e.Port);
        Assert.DoesNotContain(endpoint.Port, others);
    }

    [Fact]
    public async Task The_explorer_links_traces_to_the_dashboard_at_the_AppHost_URL()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.CreAspire_AppHost>(
            ["--containers", "false", "--ASPNETCORE_URLS", "http://localhost:18888", "--port-base", "0"]);
        var explorer = builder.Resources.OfType<ServiceExecutableResource>().Single(r => r.Name == ExplorerResource.Name);

        var env = await explorer.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);

        Assert.Equal("http://localhost:18888", env["Explorer__DashboardUrl"]);
    }

    [Fact]
    public void Without_a_dashboard_there_is_no_dashboard_URL()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = "http://localhost:18888;https://localhost:18887",
            ["ASPIRE_DASHBOARD_ENABLED"] = "false",
        }).Build();

        Assert.Null(ExplorerResource.DashboardUrl(configuration));
        Assert.Equal("http://localhost:18888", ExplorerResource.DashboardUrl(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["ASPNETCORE_URLS"] = "http://localhost:18888;https://localhost:18887" }).Build()));
    }
}
