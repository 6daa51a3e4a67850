using System.Globalization;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using CreAspire.Hosting.Run;
using CreAspire.Protocol.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace CreAspire.AppHost.Topology;

/// <summary>
/// How each kind of CRE resource is declared (what the AppHost's Program.cs calls): infrastructure in its executable or
/// container form, the services from their build output with the environment they share, the nodes of each DON.
/// </summary>
internal sealed class CreTopologyBuilder
{
    private readonly IDistributedApplicationBuilder _builder;
    private readonly List<(string Address, string Url)> _peers = [];
    private readonly Dictionary<string, int> _ports = new(StringComparer.Ordinal);
    private Func<string, string, IResourceBuilder<IResourceWithConnectionString>>? _addDatabase;

    public CreTopologyBuilder(IDistributedApplicationBuilder builder, CreTopologyOptions options)
    {
        _builder = builder;
        Options = options;
        Options.Validate();
        Dons = CreTopology.Dons(options);
        Ports = new PortLayout(builder.ExecutionContext.IsPublishMode ? 0 : options.PortBase);
        UseContainers = builder.ExecutionContext.IsPublishMode
                        || options.Containers == "true"
                        || (options.Containers == "auto" && ContainerRuntime.IsHealthy());
        ArtifactsFolder = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, options.ArtifactsFolder));
        if (builder.ExecutionContext.IsRunMode)
        {
            Directory.CreateDirectory(ArtifactsFolder);
        }
    }

    public CreTopologyOptions Options { get; }

    public IReadOnlyList<DonSpec> Dons { get; }

    public PortLayout Ports { get; }

    /// <summary>Postgres and Anvil as containers (see <see cref="CreTopologyOptions.Containers"/>).</summary>
    public bool UseContainers { get; }

    public string ArtifactsFolder { get; }

    public IResourceBuilder<SetupStepResource> Contracts { get; private set; } = null!;

    public IResourceBuilder<IAnvilResource> Chain { get; private set; } = null!;

    public IResourceBuilder<IResourceWithConnectionString> AddPostgres(string name)
    {
        if (UseContainers)
        {
            var container = _builder.AddPostgres(name, port: Ports.Postgres);
            _addDatabase = (resource, database) => container.AddDatabase(resource, database);
            return container;
        }

        var embedded = _builder.AddEmbeddedPostgres(name, Ports.Postgres);
        _addDatabase = (resource, database) => embedded.AddDatabase(resource, database);
        return embedded;
    }

    public IResourceBuilder<IAnvilResource> AddAnvil(string name) => Chain = UseContainers
        ? _builder.AddAnvilContainer(name, port: Ports.Anvil)
        : _builder.AddAnvil(name, port: Ports.Anvil);

    public IResourceBuilder<SetupStepResource> AddContracts(string name) =>
        Contracts = _builder.AddSetupStep(name, new ContractsStep(Chain.Resource, Dons, Options.DeployRegistries).RunAsync)
                            .WaitFor(Chain).WithIconName("DocumentSignature");

    /// <summary>A service with what every CRE service gets: its identity, the chain, the registries once deployed, every peer.</summary>
    public IResourceBuilder<ServiceExecutableResource> AddService<TProject>(string name, int port, string? nodeName = null)
        where TProject : IProjectMetadata, new()
    {
        var service = _builder.AddServiceExecutable<TProject>(name, port)
            .WithEnvironment("Node__Name", nodeName ?? name).WithEnvironment("Node__Seed", Options.Seed)
            .WithReference(Chain, "chain").WaitForCompletion(Contracts)
            .WithEnvironment(context =>
            {
                foreach (var (variable, key) in ContractsOutputs.Environment)
                {
                    if (Contracts.Resource.Outputs.TryGetValue(key, out var value))
                    {
                        context.EnvironmentVariables[variable] = value;
                    }
                }

                foreach (var (address, url) in _peers)
                {
                    context.EnvironmentVariables[$"Peers__{address}"] = url;
                }
            })
            .WithProjectManifest();
        if (!Options.Telemetry)
        {
            service.WithEnvironment(context => context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT"));
        }

        if (Options.JitProfiles)
        {
            service.WithJitProfile();
        }

        _ports[name] = port;
        return service;
    }

    public IResourceBuilder<ServiceExecutableResource> AddWorkflowNode(
        string name, IResourceBuilder<ArtifactsServerResource> artifacts,
        IResourceBuilder<ServiceExecutableResource>? gateway, IResourceBuilder<ServiceExecutableResource>? enclave) =>
        AddNode<Projects.CreAspire_WorkflowNode>(name, name, withDatabase: true)
            .WithReference(artifacts)
            .WithEnvironment("Fetcher__BasePath", ArtifactsFolder)
            .WithEnvironment("Syncer__DonFamily", CreTopology.Family)
            .WithEnvironment(context => context.EnvironmentVariables["Engine__WorkflowDonId"] = DonId(CreTopology.WorkflowDon, context.ExecutionContext))
            .WithOptionalReference(enclave).WithOptionalReference(gateway);

    public IResourceBuilder<ServiceExecutableResource> AddRelayNode(
        string name, IResourceBuilder<ServiceExecutableResource> gateway, IResourceBuilder<SetupStepResource> identity) =>
        AddNode<Projects.CreAspire_RelayNode>(name, name, withDatabase: false)
            .WithReference(gateway).WaitFor(gateway)
            .WithEnvironment(context => context.EnvironmentVariables["Relay__DonId"] = DonId(CreTopology.RelayDon, context.ExecutionContext))
            .WaitForCompletion(identity)
            .WithOutputs(identity, new Dictionary<string, string>
            {
                ["Attestation__TrustedPcrs"] = EnclaveIdentityStep.TrustedPcrsOutput,
                ["Attestation__CaRootsPem"] = EnclaveIdentityStep.CaRootsPemOutput,
            });

    /// <summary>A capability node; in the single-DON topology it serves the capabilities of workflow node <paramref name="identity"/>.</summary>
    public IResourceBuilder<ServiceExecutableResource> AddCapabilityNode(string name, string identity) =>
        AddNode<Projects.CreAspire_MockCapability>(name, identity, withDatabase: true)
            .WithEnvironment("Vault__MasterKey", CreTopology.VaultMasterKey(Options.Seed))
            .WithEnvironment($"Vault__Seed__{CreTopology.SampleSecretKey}", Options.SampleSecret);

    /// <summary>The DON as a dashboard resource: parent of its nodes, healthy when they all are.</summary>
    public IResourceBuilder<DonResource> AddDon(DonSpec don, IEnumerable<IResourceBuilder<ServiceExecutableResource>> members)
    {
        var nodes = members.ToList();
        var resource = new DonResource(CreTopology.DonResourceName(don.Name), don.Name, don.F, nodes.Select(n => n.Resource.Name).ToList());
        var key = $"{resource.Name}_members_check";
        _builder.Services.AddHealthChecks().Add(new(key, sp => new DonHealthCheck(resource, sp.GetRequiredService<ResourceNotificationService>()), null, null));
        _builder.Eventing.Subscribe<InitializeResourceEvent>(resource, (e, _1) =>
            e.Notifications.PublishUpdateAsync(resource, s => s with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
            }));
        var builder = _builder.AddResource(resource)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = "DON",
                State = KnownResourceStates.Starting,
                Properties =
                [
                    new("don.name", don.Name),
                    new("don.f", don.F.ToString(CultureInfo.InvariantCulture)),
                    new("don.members", string.Join(", ", resource.Members)),
                    new("don.families", string.Join(", ", don.Families)),
                    new("don.capabilities", string.Join(", ", don.CapabilityIds)),
                ],
            })
            .WithHealthCheck(key)
            .WithIconName("PeopleTeam")
            .ExcludeFromManifest();
        foreach (var node in nodes)
        {
            node.WithParentRelationship(builder);
        }

        return builder;
    }

    /// <summary>Records a node's signer address and URL, so every service gets Peers__&lt;address&gt;.</summary>
    public void AddPeer(string nodeName, IResourceBuilder<ServiceExecutableResource> node) =>
        _peers.Add((NodeIdentity.Derive(nodeName, Options.Seed).Address, UrlOf(node)));

    /// <summary>The base URL of a service (its port is chosen when it is declared).</summary>
    public string UrlOf(IResourceBuilder<ServiceExecutableResource> service) =>
        "http://127.0.0.1:" + _ports[service.Resource.Name].ToString(CultureInfo.InvariantCulture);

    private IResourceBuilder<ServiceExecutableResource> AddNode<TProject>(string name, string nodeName, bool withDatabase)
        where TProject : IProjectMetadata, new()
    {
        var node = AddService<TProject>(name, Ports.Node(name), nodeName);
        if (withDatabase)
        {
            var database = _addDatabase!($"{name}-db", name);
            node.WithReference(database, "nodedb").WaitFor(database);
        }

        return node;
    }

    private string DonId(string donName, DistributedApplicationExecutionContext executionContext)
    {
        if (Contracts.Resource.Outputs.TryGetValue(ContractsOutputs.DonId(donName), out var id))
        {
            return id;
        }

        return executionContext.IsPublishMode
            ? "{contracts.outputs.DonId:" + donName + "}"
            : throw new DistributedApplicationException(
                $"The 'contracts' resource published no id for the '{donName}' DON; it needs a registry deployer (CreTopologyOptions.DeployRegistries).");
    }
}

internal static class OptionalReferenceExtensions
{
    /// <summary>WithReference(service) when there is one (the single-DON topology has no gateway and no enclave).</summary>
    public static IResourceBuilder<ServiceExecutableResource> WithOptionalReference(
        this IResourceBuilder<ServiceExecutableResource> builder, IResourceBuilder<ServiceExecutableResource>? service) =>
        service is null ? builder : builder.WithReference(service);
}
