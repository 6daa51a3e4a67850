using Microsoft.Extensions.Configuration;
using CreAspire.AppHost.Topology;
using CreAspire.Hosting.Orchestration;
using CreAspire.Hosting.Testing;
using CreAspire.Protocol.Identity;

namespace CreAspire.Hosting.Tests;

/// <summary>The AppHost's default topology, as a model and running with the test service standing in for every service.</summary>
public sealed class TopologyTests
{
    private static readonly ServiceProjects StandIns = new(
        TestApp.TestServiceProject, TestApp.TestServiceProject, TestApp.TestServiceProject, TestApp.TestServiceProject, TestApp.TestServiceProject);

    [Fact]
    public void The_default_topology_declares_every_resource_of_the_architecture()
    {
        var builder = TestApp.CreateBuilder();

        CreTopology.AddDefaultTopology(builder, new CreTopologyOptions());

        var names = builder.Resources.Select(r => r.Name).ToHashSet();
        string[] expected = ["postgres", "anvil", "contracts", "artifacts", "gateway", "enclave",
            "wf-0", "wf-3", "relay-0", "relay-3", "cap-0", "cap-3", "wf-0-db", "relay-3-db", "cap-2-db"];
        Assert.All(expected, name => Assert.Contains(name, names));
        Assert.Equal(6 + 12 + 12, builder.Resources.Count);
    }

    [Fact]
    public async Task Every_node_gets_its_identity_database_chain_and_every_peer_address()
    {
        var builder = TestApp.CreateBuilder();
        var options = CreTopologyOptions.FromConfiguration(new ConfigurationBuilder()
            .AddCommandLine(["--workflow-nodes", "1", "--workflow-f", "0", "--relay-nodes", "4", "--capability-nodes", "1", "--capability-f", "0"]).Build());
        var topology = CreTopology.AddDefaultTopology(builder, options);
        new PortAllocator().AllocateEndpoints(builder.Resources);
        topology.Contracts.Resource.SetOutput(ContractsOutputs.ChainId, "1337");

        var env = await EnvironmentResolver.ResolveAsync(builder.Resources.Single(r => r.Name == "relay-2"), CancellationToken.None);

        Assert.Equal("relay-2", env["Node__Name"]);
        Assert.Equal("creaspire-dev", env["Node__Seed"]);
        Assert.EndsWith(";Database=relay-2", env["ConnectionStrings__nodedb"], StringComparison.Ordinal);
        Assert.Equal(topology.Anvil.Resource.GetConnectionString(), env["ConnectionStrings__chain"]);
        Assert.Equal("1337", env["Chain__ChainId"]);
        Assert.False(env.ContainsKey("Chain__WorkflowRegistry"));
        Assert.True(env.ContainsKey("services__gateway__http__0"));
        Assert.True(env.ContainsKey("services__enclave__http__0"));
        Assert.True(env.ContainsKey("services__artifacts__http__0"));
        var peers = env.Where(e => e.Key.StartsWith("Peers__", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, peers.Count);
        var wf0 = NodeIdentity.Derive("wf-0").Address;
        Assert.Equal(topology.Nodes.Single(n => n.Resource.Name == "wf-0").Resource.GetEndpoint().ToString().TrimEnd('/'), env[$"Peers__{wf0}"]);
    }

    [Theory]
    [InlineData("--workflow-nodes", "3")]
    [InlineData("--relay-f", "2")]
    public void Too_few_nodes_for_F_is_rejected_with_a_fix(string option, string value)
    {
        var configuration = new ConfigurationBuilder().AddCommandLine([option, value]).Build();

        var ex = Assert.Throws<ArgumentException>(() => CreTopologyOptions.FromConfiguration(configuration));

        Assert.Contains("needs at least 3F+1", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_full_default_topology_becomes_healthy_with_stand_in_services()
    {
        var builder = TestApp.CreateBuilder();
        var deployed = new List<DonSpec>();
        CreTopology.AddDefaultTopology(builder, new CreTopologyOptions
        {
            Projects = StandIns,
            ArtifactsFolder = Directory.CreateTempSubdirectory("creaspire-artifacts-").FullName,
            DeployRegistries = (request, _) =>
            {
                deployed.AddRange(request.Dons);
                return Task.FromResult(new RegistryDeployment("0x" + new string('a', 40), "0x" + new string('c', 40)));
            },
        });
        await using var app = await builder.BuildAsync();

        await app.StartOrDescribeAsync();

        Assert.All(app.ResourceNotifications.GetSnapshots().Where(s => s.Name != "contracts"),
            s => Assert.Equal(KnownResourceStates.Healthy, s.State));
        Assert.Equal(["workflow", "relay", "capability"], deployed.Select(d => d.Name));
        var env = await app.GetEnvironmentAsync("cap-1");
        Assert.Equal("0x" + new string('a', 40), env["Chain__WorkflowRegistry"]);
        Assert.Equal("0x" + new string('c', 40), env["Chain__CapabilitiesRegistry"]);
        Assert.Equal("1337", env["Chain__ChainId"]);
    }
}
