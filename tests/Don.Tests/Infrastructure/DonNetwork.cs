using CreAspire.Don.Launcher;
using CreAspire.MockCapability;
using CreAspire.MockCapability.Mock;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Topology;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CreAspire.Don.Tests.Infrastructure;

/// <summary>
/// In-process nodes on loopback: capability nodes are the real MockCapability wiring on Kestrel (each with its own
/// database), caller nodes are a launcher + registry with the DON transport. All share one topology and peer directory.
/// </summary>
public sealed class DonNetwork : IAsyncDisposable
{
    public const string VaultMasterKey = "don-tests-master-key";
    private readonly List<CapabilityNode> _capabilityNodes = [];
    private readonly List<CallerNode> _callerNodes = [];
    private readonly Dictionary<string, int> _ports = new(StringComparer.Ordinal);

    public DonNetwork(RegistrySnapshot snapshot, IEnumerable<NodeIdentity> servingNodes)
    {
        Topology = new MutableTopologySource(snapshot);
        foreach (var node in servingNodes)
        {
            _ports[node.Address] = PostgresFixture.FreePort();
        }

        Peers = new PeerDirectory(_ports.ToDictionary(p => p.Key, p => new Uri($"http://127.0.0.1:{p.Value}")));
    }

    public MutableTopologySource Topology { get; }

    public PeerDirectory Peers { get; }

    public LogCollector Logs { get; } = new();

    public IReadOnlyList<CapabilityNode> CapabilityNodes => _capabilityNodes;

    /// <summary>
    /// Request and quorum timeouts far longer than any healthy call on a loaded machine, so "fails fast" tests can tell a
    /// fast failure (well under <see cref="LongTimeout"/>) from one that waited for a timeout.
    /// </summary>
    public static readonly TimeSpan LongTimeout = TimeSpan.FromSeconds(60);

    public static Dictionary<string, string?> TimeoutSettings() => new()
    {
        ["Don:RemoteCapabilities:RequestTimeout"] = LongTimeout.ToString(),
        ["Don:RemoteCapabilities:QuorumTimeout"] = LongTimeout.ToString(),
        ["Don:RemoteCapabilities:SweepInterval"] = "00:00:00.200",
        ["Don:Launcher:RefreshInterval"] = "00:01:00",
    };

    /// <summary>Starts a MockCapability node (mock@1.0.0 + vault@1.0.0) for <paramref name="identity"/>.</summary>
    public async Task<CapabilityNode> StartCapabilityNodeAsync(NodeIdentity identity, string connectionString, string behavior = "normal", IDictionary<string, string?>? extra = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ApplicationName = typeof(MockCapabilityService).Assembly.GetName().Name });
        builder.WebHost.UseUrls(Peers.Resolve(identity.Address).ToString());
        var settings = TimeoutSettings();
        settings["ConnectionStrings:nodedb"] = connectionString;
        settings["Vault:MasterKey"] = VaultMasterKey;
        settings["Vault:Seed:MOCK_SECRET"] = "s3cr3t-value";
        settings["Mock:Behavior"] = behavior;
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders().AddProvider(Logs);
        builder.Services.AddSingleton(identity);
        builder.Services.AddSingleton(Peers);
        builder.Services.AddSingleton<ITopologySource>(Topology);
        builder.AddNodeDatabase(typeof(MockCapabilityService).Assembly);
        builder.AddCapabilityNode();
        var app = builder.Build();
        app.MapCapabilityNode();
        await app.StartAsync();
        var node = new CapabilityNode(identity, app, Peers.Resolve(identity.Address));
        _capabilityNodes.Add(node);
        return node;
    }

    /// <summary>A node that calls capabilities through its launcher-populated registry (workflow or relay DON member).</summary>
    public async Task<CallerNode> StartCallerNodeAsync(NodeIdentity identity)
    {
        var services = new ServiceCollection();
        services.AddLogging(l => l.ClearProviders().AddProvider(Logs));
        services.AddSingleton(identity);
        services.AddSingleton(Peers);
        services.AddSingleton<ITopologySource>(Topology);
        services.AddCapabilityLauncher(new ConfigurationBuilder().AddInMemoryCollection(TimeoutSettings()).Build());
        var provider = services.BuildServiceProvider();
        var launcher = provider.GetRequiredService<CapabilityLauncher>();
        await launcher.RefreshAsync(CancellationToken.None);
        var node = new CallerNode(identity, provider, launcher, provider.GetRequiredService<ICapabilityRegistry>());
        _callerNodes.Add(node);
        return node;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _capabilityNodes)
        {
            await node.DisposeAsync();
        }

        foreach (var node in _callerNodes)
        {
            await node.Services.DisposeAsync();
        }
    }
}

public sealed class CapabilityNode(NodeIdentity identity, WebApplication app, Uri baseUrl) : IAsyncDisposable
{
    private bool _stopped;

    public NodeIdentity Identity { get; } = identity;

    public WebApplication App { get; } = app;

    public Uri BaseUrl { get; } = baseUrl;

    public T Get<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await App.StopAsync(TimeSpan.FromSeconds(5));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await App.DisposeAsync();
    }
}

public sealed record CallerNode(NodeIdentity Identity, ServiceProvider Services, CapabilityLauncher Launcher, ICapabilityRegistry Registry);
