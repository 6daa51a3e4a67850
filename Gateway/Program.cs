using CreAspire.Don.Topology;
using CreAspire.Gateway.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
// Relay DON membership and F come from the CapabilitiesRegistry (registered before AddGateway, so it wins).
builder.Services.AddChainTopologySource(builder.Configuration);
builder.AddGateway();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapGateway();
app.Run();
