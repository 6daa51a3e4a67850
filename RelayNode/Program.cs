using CreAspire.Don.Topology;
using CreAspire.RelayNode.Extensions;
using CreAspire.RelayNode.Faults;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
// The launcher fills the relay's capability registry with remote clients for vault@1.0.0 and mock@1.0.0.
builder.Services.AddChainTopologySource(builder.Configuration);
builder.Services.AddCapabilityLauncher(builder.Configuration);
builder.AddRelayFaults();
builder.AddRelayNode();

var app = builder.Build();
app.MapRelayFaults();
app.MapDefaultEndpoints();
app.MapDonPeers();
app.Run();
