using CreAspire.Don.Topology;
using CreAspire.Enclave.Apis;
using CreAspire.Execution;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddEnclave();
builder.Services.AddWorkflowExecutionHost();
builder.Services.AddChainTopologySource(builder.Configuration);

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapEnclaveApi();

app.Run();

public partial class Program;
