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
        string[] expected = ["postgres", "anvil", "contracts", "enclave-identity", "artifacts", "gateway", "enclave",
            "wf-0", "wf-3", "relay-0", "relay-3", "cap-0", "cap-3", "wf-0-db", "wf-3-db", "cap-2-db"];
        Assert.All(expected, name => Assert.Contains(name, names));
        // Relay nodes are stateless: a database for each workflow and capability node only.
        Assert.DoesNotContain("relay-3-db", names);
        Assert.Equal(7 + 12 + 8, builder.Resources.Count);
    }

    [Fact]
    public async Task Every_node_gets_its_identity_database_chain_DON_id_and_every_peer_address()
    {
        var builder = TestApp.CreateBuilder();
        var options = CreTopologyOptions.FromConfiguration(new ConfigurationBuilder()
            .AddCommandLine(["--workflow-nodes", "1", "--workflow-f", "0", "--relay-nodes", "4", "--capability-nodes", "1", "--capability-f", "0"]).Build());
        var topology = CreTopology.AddDefaultTopology(builder, options);
        new PortAllocator().AllocateEndpoints(builder.Resources);
        topology.Contracts.Resource.SetOutput(ContractsOutputs.ChainId, "1337");
        topology.Contracts.Resource.SetOutput(ContractsOutputs.DonId(CreTopology.WorkflowDon), "1");
        topology.Contracts.Resource.SetOutput(ContractsOutputs.DonId(CreTopology.RelayDon), "2");
        var identity = builder.Resources.OfType<SetupResource>().Single(r => r.Name == "enclave-identity");
        identity.SetOutput(EnclaveIdentityStep.TrustedPcrsOutput, "pcrs");
        identity.SetOutput(EnclaveIdentityStep.CaRootsPemOutput, "roots");

        var relay = await EnvironmentResolver.ResolveAsync(builder.Resources.Single(r => r.Name == "relay-2"), CancellationToken.None);
        var workflow = await EnvironmentResolver.ResolveAsync(builder.Resources.Single(r => r.Name == "wf-0"), CancellationToken.None);

        Assert.Equal("relay-2", relay["Node__Name"]);
        Assert.Equal("creaspire-dev", relay["Node__Seed"]);
        Assert.Equal(topology.Anvil.Resource.GetConnectionString(), relay["ConnectionStrings__chain"]);
        Assert.Equal("1337", relay["Chain__ChainId"]);
        Assert.False(relay.ContainsKey("Chain__WorkflowRegistry"));
        Assert.Equal("2", relay["Relay__DonId"]);
        Assert.Equal(("pcrs", "roots"), (relay["Attestation__TrustedPcrs"], relay["Attestation__CaRootsPem"]));
        Assert.True(relay.ContainsKey("services__gateway__http__0"));
        Assert.False(relay.ContainsKey("ConnectionStrings__nodedb"));
        Assert.Equal("wf-0", workflow["Node__Name"]);
        Assert.EndsWith(";Database=wf-0", workflow["ConnectionStrings__nodedb"], StringComparison.Ordinal);
        Assert.Equal(topology.Anvil.Resource.GetConnectionString(), workflow["ConnectionStrings__chain"]);
        Assert.Equal("1", workflow["Engine__WorkflowDonId"]);
        Assert.Equal(CreTopology.Family, workflow["Syncer__DonFamily"]);
        Assert.True(workflow.ContainsKey("services__gateway__http__0"));
        Assert.True(workflow.ContainsKey("services__enclave__http__0"));
        Assert.True(workflow.ContainsKey("services__artifacts__http__0"));
        var peers = relay.Where(e => e.Key.StartsWith("Peers__", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, peers.Count);
        var wf0 = NodeIdentity.Derive("wf-0").Address;
        Assert.Equal(topology.Nodes.Single(n => n.Resource.Name == "wf-0").Resource.GetEndpoint().ToString().TrimEnd('/'), relay[$"Peers__{wf0}"]);
        Assert.Equal(relay.Where(e => e.Key.StartsWith("Peers__", StringComparison.Ordinal)), workflow.Where(e => e.Key.StartsWith("Peers__", StringComparison.Ordinal)));
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
                return Task.FromResult(new RegistryDeployment("0x" + new string('a', 40), "0x" + new string('c', 40))
                {
                    DonIds = request.Dons.Select((d, i) => (d.Name, Id: (uint)(i + 1))).ToDictionary(d => d.Name, d => d.Id),
                });
            },
        });
        await using var app = await builder.BuildAsync();

        await app.StartOrDescribeAsync();

        var snapshots = app.ResourceNotifications.GetSnapshots();
        Assert.All(snapshots.Where(s => s.Kind != "Setup"), s => Assert.Equal(KnownResourceStates.Healthy, s.State));
        // The setup steps (contracts, enclave-identity) run once and finish.
        Assert.Equal(["contracts", "enclave-identity"], snapshots.Where(s => s.Kind == "Setup").Select(s => s.Name).Order());
        Assert.All(snapshots.Where(s => s.Kind == "Setup"), s => Assert.Equal((KnownResourceStates.Finished, (int?)0), (s.State, s.ExitCode)));
        Assert.Equal(["workflow", "relay", "capability"], deployed.Select(d => d.Name));
        var env = await app.GetEnvironmentAsync("cap-1");
        Assert.Equal("0x" + new string('a', 40), env["Chain__WorkflowRegistry"]);
        Assert.Equal("0x" + new string('c', 40), env["Chain__CapabilitiesRegistry"]);
        Assert.Equal("1337", env["Chain__ChainId"]);
        Assert.Equal("1", (await app.GetEnvironmentAsync("wf-2"))["Engine__WorkflowDonId"]);
        Assert.Equal("2", (await app.GetEnvironmentAsync("relay-0"))["Relay__DonId"]);
    }
}
