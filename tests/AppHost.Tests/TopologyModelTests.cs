// GetEnvironmentVariableValuesAsync(Publish) gives each variable in manifest form without allocating endpoints: the
// simplest way to read a model's environment (its replacement, ExecutionConfigurationBuilder, resolves values at run time).
#pragma warning disable CS0618

using System.Text.Json;
using CreAspire.AppHost.Topology;
using Microsoft.Extensions.Configuration;

namespace CreAspire.AppHost.Tests;

/// <summary>The AppHost's model, built by its own Program.cs through the testing builder, without starting anything.</summary>
public sealed class TopologyModelTests
{
    private static async Task<IDistributedApplicationTestingBuilder> BuildModelAsync(params string[] args) =>
        await DistributedApplicationTestingBuilder.CreateAsync<Projects.CreAspire_AppHost>(args);

    [Fact]
    public async Task The_default_topology_declares_every_resource_of_the_architecture_as_executables()
    {
        var builder = await BuildModelAsync("--containers", "false");

        var names = builder.Resources.Select(r => r.Name).ToHashSet();

        string[] expected = ["postgres", "anvil", "contracts", "enclave-identity", "artifacts", "gateway", "enclave",
            "wf-0", "wf-3", "relay-0", "relay-3", "cap-0", "cap-3", "wf-0-db", "wf-3-db", "cap-2-db", "workflow-don", "relay-don", "capability-don", "explorer"];
        Assert.All(expected, name => Assert.Contains(name, names));
        Assert.DoesNotContain("relay-3-db", names); // relay nodes are stateless
        Assert.Single(builder.Resources.OfType<EmbeddedPostgresResource>());
        Assert.Single(builder.Resources.OfType<AnvilResource>());
        Assert.Equal(15, builder.Resources.OfType<ServiceExecutableResource>().Count()); // 12 nodes, gateway, enclave, explorer
        Assert.Equal(8, builder.Resources.OfType<EmbeddedPostgresDatabaseResource>().Count());
        Assert.Equal(["contracts", "enclave-identity"], builder.Resources.OfType<SetupStepResource>().Select(s => s.Name).Order());
    }

    [Theory]
    [InlineData(new string[0], "true")]
    [InlineData(new[] { "--path-probe", "false" }, "false")]
    public async Task The_enclave_probes_the_confidential_path_at_start_unless_told_not_to(string[] args, string expected)
    {
        var builder = await BuildModelAsync(["--containers", "false", .. args]);
        var enclave = builder.Resources.OfType<ServiceExecutableResource>().Single(r => r.Name == "enclave");

        var env = await enclave.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);

        Assert.Equal(expected, env["Enclave__PathProbe"]);
    }

    [Theory]
    [InlineData(new string[0], true)]
    [InlineData(new[] { "--jit-profiles", "false" }, false)]
    public async Task Every_service_plays_back_its_own_jit_profile_from_its_build_output_when_run_unless_told_not_to(string[] args, bool expected)
    {
        var builder = await BuildModelAsync(["--containers", "false", .. args]);
        var services = builder.Resources.OfType<ServiceExecutableResource>().ToList();

        foreach (var service in services)
        {
            // Run mode: the callbacks alone (resolving the values would wait for endpoints no app allocated here); the ones
            // that read a setup step's outputs need a started app and are skipped.
            var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), service);
            foreach (var callback in service.Annotations.OfType<EnvironmentCallbackAnnotation>())
            {
                try
                {
                    await callback.Callback(context);
                }
                catch (DistributedApplicationException)
                {
                }
            }

            var run = context.EnvironmentVariables;
            var publish = await service.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);
            Assert.False(publish.ContainsKey(ServiceExecutableBuilderExtensions.JitProfileVariable), $"{service.Name}: a local profile path is not for a manifest");
            if (expected)
            {
                Assert.Equal(Path.Combine(service.WorkingDirectory, "jit-profiles", service.Name + ".jitprofile"), run[ServiceExecutableBuilderExtensions.JitProfileVariable]);
            }
            else
            {
                Assert.False(run.ContainsKey(ServiceExecutableBuilderExtensions.JitProfileVariable), service.Name);
            }
        }

        Assert.Contains(services, s => s.Name == "wf-3");
    }

    [Fact]
    public async Task With_containers_Postgres_and_Anvil_come_from_their_images_and_the_nodes_reference_them()
    {
        var builder = await BuildModelAsync("--containers", "true");

        var postgres = Assert.Single(builder.Resources.OfType<PostgresServerResource>());
        var anvil = Assert.Single(builder.Resources.OfType<AnvilContainerResource>());
        var databases = builder.Resources.OfType<PostgresDatabaseResource>().ToList();

        Assert.Empty(builder.Resources.OfType<EmbeddedPostgresResource>());
        Assert.Empty(builder.Resources.OfType<AnvilResource>());
        Assert.EndsWith("postgres", Assert.Single(postgres.Annotations.OfType<ContainerImageAnnotation>()).Image, StringComparison.Ordinal);
        Assert.Equal(AnvilBuilderExtensions.Image, Assert.Single(anvil.Annotations.OfType<ContainerImageAnnotation>()).Image);
        Assert.Equal(8, databases.Count);
        Assert.All(databases, d => Assert.Same(postgres, d.Parent));
        var wf0 = builder.Resources.OfType<ServiceExecutableResource>().Single(r => r.Name == "wf-0");
        var env = await wf0.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);
        Assert.Equal("{wf-0-db.connectionString}", env["ConnectionStrings__nodedb"]);
        Assert.Equal("{anvil.connectionString}", env["ConnectionStrings__chain"]);
    }

    [Fact]
    public async Task Every_node_gets_its_identity_database_chain_DON_id_and_every_peer_address()
    {
        var builder = await BuildModelAsync("--containers", "false", "--workflow-nodes", "1", "--workflow-f", "0", "--capability-nodes", "1", "--capability-f", "0");
        var relay = builder.Resources.OfType<ServiceExecutableResource>().Single(r => r.Name == "relay-2");
        var workflow = builder.Resources.OfType<ServiceExecutableResource>().Single(r => r.Name == "wf-0");

        var relayEnv = await relay.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);
        var workflowEnv = await workflow.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);

        Assert.Equal(("relay-2", "creaspire-dev"), (relayEnv["Node__Name"], relayEnv["Node__Seed"]));
        Assert.Equal("{anvil.connectionString}", relayEnv["ConnectionStrings__chain"]);
        Assert.Equal("{contracts.outputs.DonId:relay}", relayEnv["Relay__DonId"]);
        Assert.Equal("{enclave-identity.outputs.TrustedPcrs}", relayEnv["Attestation__TrustedPcrs"]);
        Assert.True(relayEnv.ContainsKey("services__gateway__http__0"));
        Assert.False(relayEnv.ContainsKey("ConnectionStrings__nodedb"));
        Assert.Equal("{wf-0-db.connectionString}", workflowEnv["ConnectionStrings__nodedb"]);
        Assert.Equal(CreTopology.Family, workflowEnv["Syncer__DonFamily"]);
        Assert.True(workflowEnv.ContainsKey("services__enclave__http__0"));
        Assert.True(workflowEnv.ContainsKey("services__artifacts__http__0"));
        var peers = relayEnv.Where(e => e.Key.StartsWith("Peers__", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, peers.Count); // 1 workflow + 4 relay + 1 capability node
        Assert.Equal(peers, workflowEnv.Where(e => e.Key.StartsWith("Peers__", StringComparison.Ordinal)));
        var wf0 = CreAspire.Protocol.Identity.NodeIdentity.Derive("wf-0").Address;
        Assert.Equal($"http://127.0.0.1:{workflow.Annotations.OfType<EndpointAnnotation>().Single().TargetPort}", relayEnv[$"Peers__{wf0}"]);
    }

    [Fact]
    public async Task The_workflow_DON_carries_the_deploy_and_fire_commands()
    {
        var builder = await BuildModelAsync("--containers", "false");

        var don = builder.Resources.OfType<DonResource>().Single(d => d.DonName == CreTopology.WorkflowDon);

        Assert.Equal(["wf-0", "wf-1", "wf-2", "wf-3"], don.Members);
        var commands = don.Annotations.OfType<ResourceCommandAnnotation>().ToDictionary(c => c.Name, c => c.DisplayName);
        Assert.Equal("Deploy sample (confidential)", commands[Samples.WorkflowDonCommands.DeployConfidential]);
        Assert.Equal("Deploy sample (normal)", commands[Samples.WorkflowDonCommands.DeployNormal]);
        Assert.Equal("Fire cron now", commands[Samples.WorkflowDonCommands.FireCron]);
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
    public void The_fixed_port_layout_names_every_node_s_port()
    {
        var ports = new PortLayout(39000);

        Assert.Equal((39001, 39002, 39003, 39004, 39005), (ports.Postgres, ports.Anvil, ports.Artifacts, ports.Gateway, ports.Enclave));
        Assert.Equal((39100, 39203, 39315), (ports.Node("wf-0"), ports.Node("relay-3"), ports.Node("cap-15")));
        Assert.Equal(ports.Node("wf-0"), ports.Node("wf-0"));
    }
}

/// <summary>Aspire's manifest publishing: the container forms of Postgres and Anvil, the services as projects.</summary>
public sealed class ManifestTests
{
    [Fact]
    public async Task The_published_manifest_describes_Postgres_and_Anvil_as_containers_and_the_services_as_projects()
    {
        var output = Directory.CreateTempSubdirectory("creaspire-manifest-");
        var manifestPath = Path.Combine(output.FullName, "aspire-manifest.json");
        var run = await AppHostProcess.RunToEndAsync(["--publisher", "manifest", "--output-path", manifestPath], TimeSpan.FromMinutes(2));
        Assert.True(run.ExitCode == 0, run.Output);

        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(manifestPath));
        var resources = manifest.RootElement.GetProperty("resources");

        Assert.Equal("container.v0", resources.GetProperty("postgres").GetProperty("type").GetString());
        Assert.StartsWith("docker.io/library/postgres:", resources.GetProperty("postgres").GetProperty("image").GetString(), StringComparison.Ordinal);
        Assert.Equal("value.v0", resources.GetProperty("wf-0-db").GetProperty("type").GetString());
        Assert.Equal($"{AnvilBuilderExtensions.Image}:{AnvilBuilderExtensions.ImageTag}", resources.GetProperty("anvil").GetProperty("image").GetString());
        Assert.Equal("anvil", resources.GetProperty("anvil").GetProperty("entrypoint").GetString());
        var wf0 = resources.GetProperty("wf-0");
        Assert.Equal("project.v0", wf0.GetProperty("type").GetString());
        Assert.EndsWith("WorkflowNode/CreAspire.WorkflowNode.csproj", wf0.GetProperty("path").GetString(), StringComparison.Ordinal);
        Assert.Equal("{wf-0-db.connectionString}", wf0.GetProperty("env").GetProperty("ConnectionStrings__nodedb").GetString());
        // One-shot steps, the artifacts server and the DON groups exist only locally.
        foreach (var local in new[] { "contracts", "enclave-identity", "artifacts", "workflow-don" })
        {
            Assert.False(resources.TryGetProperty(local, out _), $"{local} should not be in the manifest");
        }

        output.Delete(recursive: true);
    }
}
