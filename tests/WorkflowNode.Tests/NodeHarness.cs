using System.Net.Http.Json;
using CreAspire.Chain.Registries;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Topology;
using CreAspire.Protocol.Workflows;
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
    /// <summary>Syncer poll interval (short, so state changes show quickly; tests that time pickup set a longer one).</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(250);

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

    /// <summary>
    /// Keeps the node's real WorkflowRegistry binding instead of <see cref="Registry"/> (to test how the node starts
    /// against its real chain configuration).
    /// </summary>
    public bool WithRealRegistryBinding { get; init; }

    /// <summary>
    /// Keeps the node's real WASM module factory and workflow engines instead of <see cref="Modules"/> and <see cref="Engines"/>
    /// (workflows really run; capabilities still come from <see cref="Capabilities"/>).
    /// </summary>
    public bool WithRealExecution { get; init; }

    /// <summary>Placeholder registry addresses given to the node's chain options unless <see cref="Settings"/> overrides them.</summary>
    public const string DummyWorkflowRegistry = "0x0000000000000000000000000000000000000001";

    public const string DummyCapabilitiesRegistry = "0x0000000000000000000000000000000000000002";

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
        builder.UseSetting("Node:Name", "wf-test");
        // Program registers the real chain bindings (WorkflowRegistry, CapabilitiesRegistry topology); these tests replace
        // them with doubles, but the chain options are validated at start, so give them well-formed values (nothing listens
        // on port 9).
        builder.UseSetting("ConnectionStrings:chain", "http://127.0.0.1:9");
        builder.UseSetting("Chain:WorkflowRegistry", DummyWorkflowRegistry);
        builder.UseSetting("Chain:CapabilitiesRegistry", DummyCapabilitiesRegistry);
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            // The capability launcher reads the topology at start: an empty registry (no DONs) keeps it off the chain.
            services.AddSingleton<ITopologySource>(new StaticTopologySource(RegistrySnapshot.Empty));
            if (!WithRealRegistryBinding)
            {
                services.AddSingleton<IWorkflowRegistryReader>(Registry);
            }

            if (!WithRealExecution)
            {
                services.AddSingleton<IWorkflowModuleFactory>(Modules);
                services.AddSingleton<IWorkflowEngineFactory>(Engines);
            }

            services.AddSingleton<ICapabilityRegistry>(Capabilities);
        });
    }

    public async Task<NodeWorkflowView?> GetWorkflowAsync(HttpClient client, string workflowId)
    {
        using var response = await client.GetAsync($"/workflows/{workflowId}");
        return response.StatusCode == System.Net.HttpStatusCode.NotFound ? null : await response.Content.ReadFromJsonAsync<NodeWorkflowView>();
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
