// The CreAspire app model: `dotnet run --project AppHost [--workflow-nodes 4 --relay-nodes 4 --capability-nodes 4
//   --workflow-f 1 --relay-f 1 --capability-f 1 --single-don true --seed creaspire-dev --dashboard-port 18888 --run-dir <folder>]`.
using CreAspire.AppHost.Samples;
using CreAspire.AppHost.Topology;
using CreAspire.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

var topology = CreTopologyOptions.FromConfiguration(builder.Configuration);
topology.DeployRegistries = (request, ct) => ChainRegistryDeployer.DeployAsync(request, topology.Seed, ct);

var resources = CreTopology.AddDefaultTopology(builder, topology);

var app = builder.Build();
app.MapSampleWorkflowApi(resources);
app.Run();
