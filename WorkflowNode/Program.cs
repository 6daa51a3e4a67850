using CreAspire.WorkflowNode.Apis;
using CreAspire.WorkflowNode.Extensions;
using CreAspire.WorkflowNode.Runtime;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();
builder.AddNodeRuntime();

var app = builder.Build();

app.MapWorkflowApis();
app.MapTestHooks();
app.MapDonPeers();
app.MapDefaultEndpoints();

app.Run();

/// <summary>Entry point (public for WebApplicationFactory tests).</summary>
public partial class Program;
