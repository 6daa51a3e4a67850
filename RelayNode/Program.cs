using CreAspire.RelayNode.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddRelayNode();

var app = builder.Build();
app.MapDefaultEndpoints();
app.Run();
