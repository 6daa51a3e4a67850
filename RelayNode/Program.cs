using CreAspire.Don.Topology;
using CreAspire.RelayNode.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
// The launcher fills the relay's capability registry with remote clients for vault@1.0.0 and mock@1.0.0.
builder.Services.AddChainTopologySource(builder.Configuration);
builder.Services.AddCapabilityLauncher(builder.Configuration);
builder.AddRelayNode();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapDonPeers();
app.Run();
