using CreAspire.Don.Topology;
using CreAspire.MockCapability;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNodeDatabase(typeof(Program).Assembly);
// DONs, members and F come from the CapabilitiesRegistry (registered before AddCapabilityNode, so it wins).
builder.Services.AddChainTopologySource(builder.Configuration);
builder.AddCapabilityNode();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapCapabilityNode();

app.Run();
