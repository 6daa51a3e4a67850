using System.Net.Http.Json;
using CreAspire.Chain.Registries;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Capabilities;
using CreAspire.WorkflowNode.Apis;
using CreAspire.WorkflowNode.Syncer;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace CreAspire.WorkflowNode.Tests;

/// <summary>
/// One workflow node (the real Program: store, migrations, syncer, fetcher, routing, API) over a given database, with
/// the chain reader, module factory, engine factory and capability registry as test doubles.
/// </summary>
public sealed class NodeHarness : WebApplicationFactory<Program>
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(250);

    private readonly string _connectionString;
    private readonly string _basePath;

    public NodeHarness(string connectionString, string basePath, FakeRegistryReader registry)
    {
        _connectionString = connectionString;
        _basePath = basePath;
        Registry = registry;
    }

    public FakeRegistryReader Registry { get; }

    public FakeModuleFactory Modules { get; } = new();

    public FakeEngineFactory Engines { get; } = new();

    public CapabilityRegistry Capabilities { get; } = new();

    public int PageSize { get; init; } = 1000;

    /// <summary>Extra configuration (e.g. Syncer:MaxRetries).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Leaves out the chain and execution bindings (to test that the node refuses to start without them).</summary>
    public bool WithoutBindings { get; init; }

    public WorkflowEngineRegistry EngineRegistry => Services.GetRequiredService<WorkflowEngineRegistry>();

    /// <summary>Starts the host (migrations, syncer) and returns an API client.</summary>
    public HttpClient Start() => CreateClient();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:nodedb", _connectionString);
        builder.UseSetting("Fetcher:BasePath", _basePath);
        builder.UseSetting("Syncer:PollInterval", PollInterval.ToString());
        builder.UseSetting("Syncer:PageSize", PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Syncer:RetryInitialDelay", "00:00:00.050");
        builder.UseSetting("Syncer:RetryMaxDelay", "00:00:00.400");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }
        if (WithoutBindings)
        {
            // Development also validates DI on build (a generic "Unable to resolve service" error); Production shows the node's own check.
            builder.UseEnvironment("Production");
        }

        builder.ConfigureTestServices(services =>
        {
            if (WithoutBindings)
            {
                return;
            }

            services.AddSingleton<IWorkflowRegistryReader>(Registry);
            services.AddSingleton<IWorkflowModuleFactory>(Modules);
            services.AddSingleton<IWorkflowEngineFactory>(Engines);
            services.AddSingleton<ICapabilityRegistry>(Capabilities);
        });
    }

    public async Task<WorkflowResponse?> GetWorkflowAsync(HttpClient client, string workflowId)
    {
        using var response = await client.GetAsync($"/workflows/{workflowId}");
        return response.StatusCode == System.Net.HttpStatusCode.NotFound ? null : await response.Content.ReadFromJsonAsync<WorkflowResponse>();
    }
}

/// <summary>Waits for a condition with a deadline (no fixed sleeps).</summary>
public static class Eventually
{
    public static async Task<T> GetAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (done(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{what} did not happen within {timeout}; last value: {value}");
            }

            await Task.Delay(20);
        }
    }

    public static Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what) =>
        GetAsync(() => Task.FromResult(condition()), v => v, timeout, what);
}
