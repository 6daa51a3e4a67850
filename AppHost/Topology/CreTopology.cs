using Nethereum.Util;
using CreAspire.Hosting;
using CreAspire.Hosting.ApplicationModel;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;

namespace CreAspire.AppHost.Topology;

/// <summary>
/// The default CRE topology (ARCHITECTURE §3), shared by the AppHost and the tests: postgres with one database per node, anvil,
/// the contracts step, the enclave identity, artifacts, gateway, enclave, and the workflow, relay and capability DONs.
/// With <see cref="CreTopologyOptions.SingleDon"/> one DON is both the workflow DON and the capability DON.
/// </summary>
public static class CreTopology
{
    /// <summary>Every DON shares this family, so the launcher connects them (the WorkflowRegistry's default DON family).</summary>
    public const string Family = "zone-a";

    public const string WorkflowDon = "workflow";
    public const string RelayDon = "relay";
    public const string CapabilityDon = "capability";

    /// <summary>The secret the sample workflows read, seeded into every vault node.</summary>
    public const string SampleSecretKey = "MOCK_SECRET";

    /// <summary>The DONs the options describe, with node names and their deterministic signer addresses.</summary>
    public static IReadOnlyList<DonSpec> Dons(CreTopologyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SingleDon)
        {
            return
            [
                Don(WorkflowDon, "wf", options.WorkflowNodes, options.WorkflowF, true,
                    [CapabilityIds.CronTrigger, CapabilityIds.ConfidentialWorkflows, CapabilityIds.Mock, CapabilityIds.Vault], options.Seed),
            ];
        }

        return
        [
            Don(WorkflowDon, "wf", options.WorkflowNodes, options.WorkflowF, true,
                [CapabilityIds.CronTrigger, CapabilityIds.ConfidentialWorkflows], options.Seed),
            Don(RelayDon, "relay", options.RelayNodes, options.RelayF, false, [], options.Seed),
            Don(CapabilityDon, "cap", options.CapabilityNodes, options.CapabilityF, false,
                [CapabilityIds.Mock, CapabilityIds.Vault], options.Seed),
        ];
    }

    public static CreTopologyResources AddDefaultTopology(IDistributedApplicationBuilder builder, CreTopologyOptions options)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var dons = Dons(options);
        var artifactsFolder = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, options.ArtifactsFolder));
        Directory.CreateDirectory(artifactsFolder);

        // Infrastructure
        var postgres = builder.AddPostgres("postgres");
        var anvil = builder.AddAnvil("anvil");
        var contracts = builder.AddSetup("contracts", new ContractsStep(anvil.Resource.Name, anvil.Resource.ChainId, dons, options.DeployRegistries).RunAsync)
                               .WaitFor(anvil);
        var artifacts = builder.AddArtifactsServer("artifacts", artifactsFolder);
        var context = new TopologyContext(builder, options, contracts, anvil, postgres, artifacts, artifactsFolder);

        // Gateway, enclave and relay DON exist only when a separate relay DON carries the confidential path.
        IResourceBuilder<ProjectResource>? gateway = null;
        IResourceBuilder<ProjectResource>? enclave = null;
        if (!options.SingleDon)
        {
            var identity = builder.AddSetup("enclave-identity", EnclaveIdentityStep.RunAsync);
            gateway = context.AddService("gateway", options.Projects.Gateway)
                             .WithEnvironment("Gateway__DonName", RelayDon);
            enclave = context.AddService("enclave", options.Projects.Enclave)
                             .WithReference(gateway).WithReference(artifacts).WaitForCompletion(identity)
                             .WithOutputs(identity, new Dictionary<string, string> { ["Enclave__IdentityDirectory"] = EnclaveIdentityStep.DirectoryOutput });
            context.Identity = identity;
        }

        // DONs
        var nodes = new List<IResourceBuilder<ProjectResource>>();
        var peers = new List<(string Address, IResourceBuilder<ProjectResource> Node)>();
        foreach (var don in dons)
        {
            foreach (var nodeName in don.NodeNames)
            {
                var address = NodeIdentity.Derive(nodeName, options.Seed).Address;
                if (don.Name == WorkflowDon)
                {
                    nodes.Add(context.AddWorkflowNode(nodeName, don, gateway, enclave));
                    if (options.SingleDon)
                    {
                        // The same node identity also serves the DON's capabilities from a capability process; other nodes
                        // reach that address's capabilities there.
                        var capability = context.AddCapabilityNode("cap" + nodeName[2..], nodeName);
                        nodes.Add(capability);
                        peers.Add((address, capability));
                    }
                    else
                    {
                        peers.Add((address, nodes[^1]));
                    }
                }
                else if (don.Name == RelayDon)
                {
                    nodes.Add(context.AddRelayNode(nodeName, gateway!));
                    peers.Add((address, nodes[^1]));
                }
                else
                {
                    nodes.Add(context.AddCapabilityNode(nodeName, nodeName));
                    peers.Add((address, nodes[^1]));
                }
            }
        }

        IEnumerable<IResourceBuilder<ProjectResource>> everyone = nodes;
        if (gateway is not null && enclave is not null)
        {
            everyone = everyone.Append(gateway).Append(enclave);
        }

        foreach (var service in everyone)
        {
            service.WithPeers(peers);
        }

        return new CreTopologyResources(postgres, anvil, contracts, artifacts, gateway, enclave, nodes, dons) { ArtifactsFolder = artifactsFolder };
    }

    /// <summary>Peers__&lt;address&gt; = base URL of every node, so each service can reach any node by its signer address.</summary>
    private static void WithPeers(this IResourceBuilder<ProjectResource> service, IReadOnlyList<(string Address, IResourceBuilder<ProjectResource> Node)> peers) =>
        service.WithEnvironment(context =>
        {
            foreach (var (address, node) in peers)
            {
                context.EnvironmentVariables[$"Peers__{address}"] = node.Resource.GetEndpoint().ToString().TrimEnd('/');
            }
        });

    private static DonSpec Don(string name, string prefix, int count, int f, bool acceptsWorkflows, string[] capabilities, string seed)
    {
        var nodeNames = Enumerable.Range(0, count).Select(i => $"{prefix}-{i}").ToList();
        var addresses = nodeNames.Select(n => NodeIdentity.Derive(n, seed).Address).ToList();
        return new DonSpec(name, f, [Family], acceptsWorkflows, nodeNames, addresses, capabilities);
    }

    /// <summary>The vault master key every capability node shares (derived from the seed, so runs are reproducible).</summary>
    internal static string VaultMasterKey(string seed) => Convert.ToHexStringLower(Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes(seed + "/vault-master-key")));
}

/// <summary>Builders of the default topology's resources, for callers that add to them.</summary>
public sealed record CreTopologyResources(
    IResourceBuilder<PostgresServerResource> Postgres,
    IResourceBuilder<AnvilResource> Anvil,
    IResourceBuilder<SetupResource> Contracts,
    IResourceBuilder<ArtifactsServerResource> Artifacts,
    IResourceBuilder<ProjectResource>? Gateway,
    IResourceBuilder<ProjectResource>? Enclave,
    IReadOnlyList<IResourceBuilder<ProjectResource>> Nodes,
    IReadOnlyList<DonSpec> Dons)
{
    /// <summary>Absolute folder the artifacts server serves and workflow nodes read (Fetcher:BasePath).</summary>
    public string ArtifactsFolder { get; init; } = "";
}
