using CreAspire.Chain.Configuration;
using CreAspire.Chain.Registries;
using CreAspire.Don.Topology;
using CreAspire.Protocol.Topology;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CreAspire.Chain.Tests.Registries;

[Collection(AnvilCollection.Name)]
public class ChainConfigurationTests(AnvilChainFixture chain)
{
    private readonly CancellationToken _ct = AnvilChainFixture.Timeout();

    [Fact]
    public async Task Services_registered_from_configuration_read_the_deployed_registries()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>(
            chain.Deployed.ToConfiguration().Select(kv => KeyValuePair.Create(kv.Key, (string?)kv.Value)))
        {
            ["ConnectionStrings:chain"] = chain.Anvil.RpcUrl,
            ["Chain:TopologyRefreshInterval"] = "00:00:01",
        }).Build();
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddWorkflowRegistry(configuration)
            .AddChainTopologySource(configuration)
            .BuildServiceProvider(validateScopes: true);

        var snapshot = await services.GetRequiredService<ITopologySource>().GetSnapshotAsync(_ct);
        var reader = services.GetRequiredService<IWorkflowRegistryReader>();

        Assert.Contains(snapshot.Dons, d => d.Name == "workflow" && d.AcceptsWorkflows);
        Assert.NotNull(await reader.GetWorkflowListByDonAsync("zone-a", 0, 10, _ct));
        Assert.Equal(TimeSpan.FromSeconds(1), services.GetRequiredService<IOptions<ChainOptions>>().Value.TopologyRefreshInterval);
    }

    [Fact]
    public async Task Missing_rpc_url_fails_validation_with_the_variable_to_set()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Chain:CapabilitiesRegistry"] = chain.Deployed.CapabilitiesRegistry,
        }).Build();
        await using var services = new ServiceCollection().AddChainTopologySource(configuration).BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptions<ChainOptions>>().Value);

        Assert.Contains("ConnectionStrings__chain", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_registry_address_names_the_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:chain"] = chain.Anvil.RpcUrl,
            ["Chain:WorkflowRegistry"] = "not-an-address",
        }).Build();
        await using var services = new ServiceCollection().AddWorkflowRegistry(configuration).BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<IWorkflowRegistryReader>());

        Assert.Contains("Chain__WorkflowRegistry", ex.Message, StringComparison.Ordinal);
    }
}
