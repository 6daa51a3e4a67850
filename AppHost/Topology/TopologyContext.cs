using CreAspire.Hosting;
using CreAspire.Hosting.ApplicationModel;

namespace CreAspire.AppHost.Topology;

/// <summary>How each kind of CRE service is declared: its project, environment and dependencies.</summary>
internal sealed class TopologyContext(
    IDistributedApplicationBuilder builder,
    CreTopologyOptions options,
    IResourceBuilder<SetupResource> contracts,
    IResourceBuilder<AnvilResource> anvil,
    IResourceBuilder<PostgresServerResource> postgres,
    IResourceBuilder<ArtifactsServerResource> artifacts,
    string artifactsFolder)
{
    public IResourceBuilder<SetupResource>? Identity { get; set; }

    public IResourceBuilder<ProjectResource> AddService(string name, string project, string? nodeName = null) =>
        builder.AddProject(name, project)
               .WithHttpEndpoint().WithHttpHealthCheck("/health")
               .WithEnvironment("Node__Name", nodeName ?? name).WithEnvironment("Node__Seed", options.Seed)
               .WithReference(anvil, "chain").WaitForCompletion(contracts)
               .WithEnvironment(context =>
               {
                   foreach (var (variable, key) in ContractsOutputs.Environment)
                   {
                       if (contracts.Resource.Outputs.TryGetValue(key, out var value))
                       {
                           context.EnvironmentVariables[variable] = value;
                       }
                   }
               });

    public IResourceBuilder<ProjectResource> AddWorkflowNode(
        string name, DonSpec don, IResourceBuilder<ProjectResource>? gateway, IResourceBuilder<ProjectResource>? enclave)
    {
        var node = AddNodeWithDatabase(name, options.Projects.WorkflowNode, name)
                   .WithReference(artifacts)
                   .WithEnvironment("Fetcher__BasePath", artifactsFolder)
                   .WithEnvironment("Syncer__DonFamily", CreTopology.Family)
                   .WithEnvironment(context => context.EnvironmentVariables["Engine__WorkflowDonId"] = DonId(don.Name));
        if (enclave is not null)
        {
            node.WithReference(enclave);
        }

        if (gateway is not null)
        {
            node.WithReference(gateway);
        }

        return node;
    }

    public IResourceBuilder<ProjectResource> AddRelayNode(string name, IResourceBuilder<ProjectResource> gateway) =>
        AddService(name, options.Projects.RelayNode)
            .WithReference(gateway).WaitFor(gateway)
            .WithEnvironment(context => context.EnvironmentVariables["Relay__DonId"] = DonId(CreTopology.RelayDon))
            .WaitForCompletion(Identity!)
            .WithOutputs(Identity!, new Dictionary<string, string>
            {
                ["Attestation__TrustedPcrs"] = EnclaveIdentityStep.TrustedPcrsOutput,
                ["Attestation__CaRootsPem"] = EnclaveIdentityStep.CaRootsPemOutput,
            });

    public IResourceBuilder<ProjectResource> AddCapabilityNode(string name, string nodeName) =>
        AddNodeWithDatabase(name, options.Projects.MockCapability, nodeName)
            .WithEnvironment("Vault__MasterKey", CreTopology.VaultMasterKey(options.Seed))
            .WithEnvironment($"Vault__Seed__{CreTopology.SampleSecretKey}", options.SampleSecret);

    private IResourceBuilder<ProjectResource> AddNodeWithDatabase(string name, string project, string nodeName)
    {
        var database = postgres.AddDatabase($"{name}-db", name);
        return AddService(name, project, nodeName).WithReference(database, "nodedb").WaitFor(database);
    }

    private string DonId(string donName) =>
        contracts.Resource.Outputs.TryGetValue(ContractsOutputs.DonId(donName), out var id)
            ? id
            : throw new DistributedApplicationException(
                $"The 'contracts' resource published no id for the '{donName}' DON; it needs a registry deployer (CreTopologyOptions.DeployRegistries).");
}
