using CreAspire.MockCapability;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource(NpgsqlExtensions.NodeDatabase, typeof(Program).Assembly);
builder.AddCapabilityNode();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapCapabilityNode();

app.Run();
