// The CreAspire topology: `dotnet run --project AppHost [-- --workflow-nodes 4 --workflow-f 1 --relay-nodes 4 --relay-f 1
//   --capability-nodes 4 --capability-f 1 --single-don true --seed creaspire-dev --port-base 19000 --containers auto
//   --run-dir <folder> --keep-data true --path-probe true]`.
using CreAspire.AppHost.Samples;
using CreAspire.AppHost.Topology;
using CreAspire.Hosting.Run;
using Microsoft.Extensions.DependencyInjection;

var builder = DistributedApplication.CreateBuilder(args);
var options = CreTopologyOptions.FromConfiguration(builder.Configuration);
options.DeployRegistries = (request, ct) => ChainRegistryDeployer.DeployAsync(request, options.Seed, ct);
var cre = new CreTopologyBuilder(builder, options);
StartupReporterOptions? reporting = null;
builder.AddRunReporting(o => reporting = o);

// Infrastructure
var postgres = cre.AddPostgres("postgres");
var anvil = cre.AddAnvil("anvil");
var contracts = cre.AddContracts("contracts");
var artifacts = builder.AddArtifactsServer("artifacts", cre.ArtifactsFolder, cre.Ports.Artifacts);

// The confidential path: gateway, enclave and relay DON (none of them in the single-DON topology)
IResourceBuilder<ServiceExecutableResource>? gateway = null, enclave = null;
var explored = new List<IResourceBuilder<ServiceExecutableResource>>();
if (!options.SingleDon)
{
    var identity = builder.AddSetupStep("enclave-identity", EnclaveIdentityStep.RunAsync).WithIconName("Fingerprint");
    gateway = cre.AddService<Projects.CreAspire_Gateway>("gateway", cre.Ports.Gateway)
                 .WithEnvironment("Gateway__DonName", CreTopology.RelayDon);
    enclave = cre.AddService<Projects.CreAspire_Enclave>("enclave", cre.Ports.Enclave)
                 .WithReference(gateway).WithReference(artifacts).WithEnvironment("Enclave__PathProbe", options.PathProbe ? "true" : "false")
                 .WaitForCompletion(identity).WithOutputs(identity, new Dictionary<string, string> { ["Enclave__IdentityDirectory"] = EnclaveIdentityStep.DirectoryOutput });
    var relays = cre.Dons[1].NodeNames.Select(name => cre.AddRelayNode(name, gateway, identity)).ToList();
    relays.ForEach(relay => cre.AddPeer(relay.Resource.Name, relay));
    cre.AddDon(cre.Dons[1], relays);
    explored.AddRange([gateway, enclave, .. relays]);
    var capabilities = cre.Dons[2].NodeNames.Select(name => cre.AddCapabilityNode(name, name)).ToList();
    capabilities.ForEach(node => cre.AddPeer(node.Resource.Name, node));
    cre.AddDon(cre.Dons[2], capabilities);
    explored.AddRange(capabilities);
}

// The workflow DON, with the sample-workflow commands. In the single-DON topology each node's identity also serves the DON's
// capabilities from a capability process cap-i, which its peers reach at that address.
var workflowNodes = cre.Dons[0].NodeNames.Select(name => cre.AddWorkflowNode(name, artifacts, gateway, enclave)).ToList();
var ownCapabilities = options.SingleDon ? workflowNodes.Select(n => cre.AddCapabilityNode("cap" + n.Resource.Name[2..], n.Resource.Name)).ToList() : [];
for (var i = 0; i < workflowNodes.Count; i++)
{
    cre.AddPeer(workflowNodes[i].Resource.Name, options.SingleDon ? ownCapabilities[i] : workflowNodes[i]);
}

var commands = new WorkflowDonCommands(anvil.Resource, contracts.Resource, cre.ArtifactsFolder, new Uri($"http://127.0.0.1:{cre.Ports.Artifacts}/"),
    workflowNodes.Select(n => (n.Resource.Name, new Uri(cre.UrlOf(n) + "/"))).ToList());
commands.AddTo(cre.AddDon(cre.Dons[0], [.. workflowNodes, .. ownCapabilities]));
builder.Services.AddSingleton(commands);

// The explorer: workflows, executions, DONs and capability requests in the browser, with the same actions as the commands.
var dashboardUrl = ExplorerResource.DashboardUrl(builder.Configuration);
var explorer = cre.AddExplorer(artifacts, [.. explored, .. workflowNodes, .. ownCapabilities], dashboardUrl);
if (dashboardUrl is not null)
{
    reporting?.Links.Add(("Dashboard", dashboardUrl));
}

reporting?.Links.Add(("Explorer", cre.UrlOf(explorer)));

builder.Build().Run();
