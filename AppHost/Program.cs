// The CreAspire app model: `dotnet run --project AppHost [--workflow-nodes 4 --relay-nodes 4 --capability-nodes 4
//   --workflow-f 1 --relay-f 1 --capability-f 1 --seed creaspire-dev --dashboard-port 18888 --run-dir <folder>]`.
using CreAspire.AppHost.Topology;
using CreAspire.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

var topology = CreTopologyOptions.FromConfiguration(builder.Configuration);

// Registries: plug the Chain deployer in here (RegistryDeploymentRequest → RegistryDeployment). Without one, the
// `contracts` step verifies the chain and records its id, and services get no registry addresses.
topology.DeployRegistries = null;

CreTopology.AddDefaultTopology(builder, topology);

builder.Build().Run();
