using CreAspire.Hosting;
using CreAspire.Hosting.ApplicationModel;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;

namespace CreAspire.AppHost.Topology;

/// <summary>
/// The default CRE topology (ARCHITECTURE §3), shared by the AppHost and the tests: postgres with one database per node, anvil,
/// the contracts step, artifacts, gateway, enclave, and the workflow, relay and capability DONs.
/// </summary>
public static class CreTopology
{
    public const string WorkflowFamily = "workflow";
    public const string RelayFamily = "relay";
    public const string CapabilityFamily = "capability";

    /// <summary>The DONs the options describe, with node names and their deterministic signer addresses.</summary>
    public static IReadOnlyList<DonSpec> Dons(CreTopologyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return
        [
            Don("workflow", "wf", options.WorkflowNodes, options.WorkflowF, WorkflowFamily, true,
                [CapabilityIds.CronTrigger, CapabilityIds.ConfidentialWorkflows], options.Seed),
            Don("relay", "relay", options.RelayNodes, options.RelayF, RelayFamily, false, [], options.Seed),
            Don("capability", "cap", options.CapabilityNodes, options.CapabilityF, CapabilityFamily, false,
                [CapabilityIds.Mock, CapabilityIds.Vault], options.Seed),
        ];
    }

    public static CreTopologyResources AddDefaultTopology(IDistributedApplicationBuilder builder, CreTopologyOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var dons = Dons(options);

        // Infrastructure
        var postgres = builder.AddPostgres("postgres");
        var anvil = builder.AddAnvil("anvil");
        var contracts = builder.AddSetup("contracts", new ContractsStep(anvil.Resource.Name, anvil.Resource.ChainId, dons, options.DeployRegistries).RunAsync)
                               .WaitFor(anvil);
        var artifacts = builder.AddArtifactsServer("artifacts", options.ArtifactsFolder);

        // Services
        var gateway = AddService(builder, "gateway", options.Projects.Gateway, options, contracts, anvil);
        var enclave = AddService(builder, "enclave", options.Projects.Enclave, options, contracts, anvil)
                      .WithReference(gateway).WithReference(artifacts);

        // DONs
        var nodes = new List<IResourceBuilder<ProjectResource>>();
        foreach (var don in dons)
        {
            var project = don.Name switch { "workflow" => options.Projects.WorkflowNode, "relay" => options.Projects.RelayNode, _ => options.Projects.MockCapability };
            foreach (var nodeName in don.NodeNames)
            {
                var database = postgres.AddDatabase($"{nodeName}-db", nodeName);
                var node = AddService(builder, nodeName, project, options, contracts, anvil)
                           .WithReference(database, "nodedb").WaitFor(database)
                           .WithReference(gateway).WithReference(enclave).WithReference(artifacts)
                           .WithEnvironment("Node__Don", don.Name);
                if (don.Name == "relay")
                {
                    node.WaitFor(gateway);
                }

                nodes.Add(node);
            }
        }

        var everyone = nodes.Append(gateway).Append(enclave).ToList();
        foreach (var service in everyone)
        {
            service.WithPeers(nodes, options.Seed);
        }

        return new CreTopologyResources(postgres, anvil, contracts, artifacts, gateway, enclave, nodes, dons);
    }

    private static IResourceBuilder<ProjectResource> AddService(
        IDistributedApplicationBuilder builder, string name, string project, CreTopologyOptions options,
        IResourceBuilder<SetupResource> contracts, IResourceBuilder<AnvilResource> anvil) =>
        builder.AddProject(name, project)
               .WithHttpEndpoint().WithHttpHealthCheck("/health")
               .WithEnvironment("Node__Name", name).WithEnvironment("Node__Seed", options.Seed)
               .WithReference(anvil, "chain").WaitForCompletion(contracts)
               .WithEnvironment(context =>
               {
                   // Registry addresses exist only when a deployer ran.
                   foreach (var (variable, key) in ContractsOutputs.Environment)
                   {
                       if (contracts.Resource.Outputs.TryGetValue(key, out var value))
                       {
                           context.EnvironmentVariables[variable] = value;
                       }
                   }
               });

    /// <summary>Peers__&lt;address&gt; = base URL of every node, so each service can reach any node by its signer address.</summary>
    private static void WithPeers(this IResourceBuilder<ProjectResource> service, IReadOnlyList<IResourceBuilder<ProjectResource>> nodes, string seed)
    {
        var peers = nodes.Select(n => (Address: NodeIdentity.Derive(n.Resource.Name, seed).Address, Node: n.Resource)).ToList();
        service.WithEnvironment(context =>
        {
            foreach (var (address, node) in peers)
            {
                context.EnvironmentVariables[$"Peers__{address}"] = node.GetEndpoint().ToString().TrimEnd('/');
            }
        });
    }

    private static DonSpec Don(string name, string prefix, int count, int f, string family, bool acceptsWorkflows, string[] capabilities, string seed)
    {
        var nodeNames = Enumerable.Range(0, count).Select(i => $"{prefix}-{i}").ToList();
        var addresses = nodeNames.Select(n => NodeIdentity.Derive(n, seed).Address).ToList();
        return new DonSpec(name, f, [family], acceptsWorkflows, nodeNames, addresses, capabilities);
    }
}

/// <summary>Builders of the default topology's resources, for callers that add to them.</summary>
public sealed record CreTopologyResources(
    IResourceBuilder<PostgresServerResource> Postgres,
    IResourceBuilder<AnvilResource> Anvil,
    IResourceBuilder<SetupResource> Contracts,
    IResourceBuilder<ArtifactsServerResource> Artifacts,
    IResourceBuilder<ProjectResource> Gateway,
    IResourceBuilder<ProjectResource> Enclave,
    IReadOnlyList<IResourceBuilder<ProjectResource>> Nodes,
    IReadOnlyList<DonSpec> Dons);
