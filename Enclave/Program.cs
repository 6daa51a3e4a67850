using CreAspire.Enclave.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddEnclave();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapEnclaveApi();

app.Run();

public partial class Program;
