using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using CreAspire.Explorer.Configuration;
using CreAspire.Operations.Nodes;
using CreAspire.Operations.Registry;
using Microsoft.Extensions.Options;

namespace CreAspire.Explorer.Sources;

/// <summary>
/// Reads the registries and every node while a page is open (every Explorer:RefreshInterval; the CapabilitiesRegistry, peer
/// sessions and the enclave identity every Explorer:TopologyRefreshInterval) and publishes one <see cref="ExplorerSnapshot"/>
/// per round. A source that fails is reported in the snapshot's problems and keeps its last good value; nothing here throws.
/// </summary>
public sealed partial class SnapshotCollector(
    ExplorerState state,
    IRegistryReader registry,
    NodeDirectory nodes,
    IOptions<ExplorerOptions> options,
    TimeProvider clock,
    ILogger<SnapshotCollector> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly TimeSpan IdleWait = TimeSpan.FromSeconds(30);

    private readonly ExplorerOptions _options = options.Value;
    private readonly Dictionary<string, NodeStatus> _statuses = new(StringComparer.Ordinal);
    private RegistryTopology? _topology;
    private EnclaveView? _enclave;
    private DateTimeOffset _slowReadAt = DateTimeOffset.MinValue;
    private long _version;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var requested = state.TakeRefreshRequest();
            if (requested || state.Viewers > 0)
            {
                try
                {
                    state.Publish(await CollectAsync(stoppingToken));
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    LogCollectFailed(ex);
                }
            }

            using var interval = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            await Task.WhenAny(state.RefreshRequested, Task.Delay(state.Viewers > 0 ? _options.RefreshInterval : IdleWait, clock, interval.Token));
            await interval.CancelAsync();
        }
    }

    internal async Task<ExplorerSnapshot> CollectAsync(CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        if (nodes.WorkflowNodes.Count == 0)
        {
            problems.Add("No workflow node is configured (Explorer:Nodes or services__wf-* references): nothing can be deployed or fired.");
        }

        var now = clock.GetUtcNow();
        if (now - _slowReadAt >= _options.TopologyRefreshInterval || _topology is null)
        {
            _slowReadAt = now;
            await ReadSlowAsync(problems, cancellationToken);
        }

        var workflowNodes = nodes.WorkflowNodes;
        var views = await Task.WhenAll(workflowNodes.Select(n => TryAsync(n.Name, problems, () => n.ListWorkflowsAsync(cancellationToken))));
        var executions = await Task.WhenAll(workflowNodes.Select(n => TryAsync(n.Name, problems, () => n.ListExecutionsAsync(null, _options.ExecutionsPerNode, cancellationToken))));
        for (var i = 0; i < workflowNodes.Count; i++)
        {
            MarkReachable(workflowNodes[i].Name, views[i] is not null, problems);
        }

        var registered = await ReadWorkflowsAsync(problems, cancellationToken);
        var entries = registered.Select(w => new WorkflowEntry(w, workflowNodes.Select((n, i) => (n.Name, View: views[i]?.FirstOrDefault(v => v.Id == w.WorkflowId)))
                .ToDictionary(x => x.Name, x => x.View, StringComparer.Ordinal)))
            .OrderByDescending(e => e.Registry.CreatedAt).ThenBy(e => e.Registry.Name, StringComparer.Ordinal)
            .ToArray();

        var capabilityNodes = nodes.WithRole(NodeRole.Capability).ToArray();
        var mock = await Task.WhenAll(capabilityNodes.Select(n => TryAsync(n.Name, problems, () => GetAsync<List<MockRequestJson>>(n, "requests?capability_id=mock@1.0.0&limit=200", cancellationToken))));
        var vault = await Task.WhenAll(capabilityNodes.Select(n => TryAsync(n.Name, problems, () => GetAsync<List<VaultRequestJson>>(n, "vault/requests?limit=200", cancellationToken))));
        for (var i = 0; i < capabilityNodes.Length; i++)
        {
            MarkReachable(capabilityNodes[i].Name, mock[i] is not null, problems);
        }

        IReadOnlyList<string>? gatewayConnected = null;
        foreach (var gateway in nodes.WithRole(NodeRole.Gateway))
        {
            var connected = await TryAsync(gateway.Name, problems, () => GetAsync<GatewayNodesJson>(gateway, "nodes", cancellationToken));
            MarkReachable(gateway.Name, connected is not null, problems);
            gatewayConnected = connected?.Connected;
        }

        return new ExplorerSnapshot(
            ++_version,
            clock.GetUtcNow(),
            entries,
            workflowNodes.Select((n, i) => (n.Name, List: executions[i] ?? [])).ToDictionary(x => x.Name, x => x.List, StringComparer.Ordinal),
            _topology,
            nodes.Nodes.Select(n => _statuses.TryGetValue(n.Name, out var s) ? s : new NodeStatus(n.Name, n.Role, n.Url, false, "not read yet", null, [])).ToArray(),
            gatewayConnected,
            _enclave,
            capabilityNodes.SelectMany((n, i) => (mock[i] ?? []).Select(r => r.ToView(n.Name))).OrderByDescending(r => r.ReceivedAt).ToArray(),
            capabilityNodes.SelectMany((n, i) => (vault[i] ?? []).Select(r => r.ToView(n.Name))).OrderByDescending(r => r.ReceivedAt).ToArray(),
            problems);
    }

    private async Task<IReadOnlyList<RegistryWorkflow>> ReadWorkflowsAsync(List<string> problems, CancellationToken cancellationToken)
    {
        var all = new List<RegistryWorkflow>();
        foreach (var family in _topology?.WorkflowFamilies ?? [])
        {
            var listed = await TryAsync("WorkflowRegistry", problems, () => registry.ListWorkflowsAsync(family, cancellationToken));
            all.AddRange(listed ?? []);
        }

        return all;
    }

    /// <summary>The CapabilitiesRegistry, each node's identity and peer sessions, health of the rest, the enclave identity.</summary>
    private async Task ReadSlowAsync(List<string> problems, CancellationToken cancellationToken)
    {
        _topology = await TryAsync("CapabilitiesRegistry", problems, () => registry.ReadTopologyAsync(cancellationToken)) ?? _topology;
        await Task.WhenAll(nodes.Nodes.Select(async node =>
        {
            if (node.Role is NodeRole.Workflow or NodeRole.Relay or NodeRole.Capability)
            {
                var peers = await TryAsync(node.Name, problems, () => GetAsync<PeersJson>(node, "don/v1/peers", cancellationToken));
                lock (_statuses)
                {
                    _statuses[node.Name] = new NodeStatus(node.Name, node.Role, node.Url, peers is not null, peers is null ? "no answer to GET /don/v1/peers" : null,
                        peers?.Address, peers?.Sessions.Select(s => new PeerSession(s.Peer, s.State, s.Reason)).ToArray() ?? []);
                }
            }
            else if (node.Role == NodeRole.Enclave)
            {
                var identity = await TryAsync(node.Name, problems, () => GetAsync<EnclaveIdentityJson>(node, "identity", cancellationToken));
                _enclave = identity is null ? _enclave : ToView(identity);
                lock (_statuses)
                {
                    _statuses[node.Name] = new NodeStatus(node.Name, node.Role, node.Url, identity is not null, identity is null ? "no answer to GET /identity" : null, null, []);
                }
            }
        }));
    }

    private void MarkReachable(string name, bool reachable, List<string> problems)
    {
        lock (_statuses)
        {
            var node = nodes.Nodes.First(n => n.Name == name);
            _statuses[name] = _statuses.TryGetValue(name, out var known)
                ? known with { Reachable = reachable, Error = reachable ? null : problems.LastOrDefault(p => p.StartsWith(name, StringComparison.Ordinal)) }
                : new NodeStatus(name, node.Role, node.Url, reachable, reachable ? null : "no answer", null, []);
        }
    }

    private async Task<T> GetAsync<T>(ExplorerNode node, string path, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ReadTimeout);
        try
        {
            return await node.Http.GetFromJsonAsync<T>(path, Json, timeout.Token) ?? throw new JsonException($"GET /{path} answered null");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"no answer to GET /{path} within {_options.ReadTimeout.TotalSeconds:0.#} s");
        }
    }

    private static async Task<T?> TryAsync<T>(string source, List<string> problems, Func<Task<T>> read) where T : class
    {
        try
        {
            return await read();
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TimeoutException or WorkflowNodeException or RegistryOperationException or NotSupportedException)
        {
            lock (problems)
            {
                problems.Add($"{source}: {ex.Message}");
            }

            return null;
        }
    }

    private static EnclaveView ToView(EnclaveIdentityJson identity)
    {
        var pcrs = new List<KeyValuePair<string, string>>();
        try
        {
            foreach (var set in JsonDocument.Parse(identity.TrustedPcrsJson).RootElement.EnumerateArray())
            {
                pcrs.AddRange(set.EnumerateObject().Select(p => KeyValuePair.Create(p.Name.ToUpperInvariant(), p.Value.GetString() ?? "")));
            }
        }
        catch (JsonException)
        {
            pcrs.Add(KeyValuePair.Create("(unreadable)", identity.TrustedPcrsJson));
        }

        var (subject, fingerprint) = ("(no root certificate)", "");
        try
        {
            using var root = X509Certificate2.CreateFromPem(identity.CaRootsPem);
            subject = root.Subject;
            fingerprint = "SHA-256 " + Convert.ToHexString(SHA256.HashData(root.RawData));
        }
        catch (CryptographicException ex)
        {
            subject = $"(unreadable root: {ex.Message})";
        }

        return new EnclaveView(identity.ModuleId, pcrs, subject, fingerprint);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading the explorer's sources failed")]
    private partial void LogCollectFailed(Exception exception);

    private sealed record MockRequestJson(long Id, string CapabilityId, string Method, string WorkflowId, string ExecutionId, long CallerDonId, string[] CallerNodes, string PayloadHex, DateTimeOffset ReceivedAt)
    {
        public MockRequestView ToView(string node) => new(node, Id, CapabilityId, Method, WorkflowId, ExecutionId, CallerDonId, CallerNodes, PayloadHex, ReceivedAt);
    }

    private sealed record VaultRequestJson(long Id, string Owner, string Namespace, string Key, string Outcome, int EncryptionKeys, string WorkflowId, string ExecutionId, long CallerDonId, string[] CallerNodes, DateTimeOffset ReceivedAt)
    {
        public VaultRequestView ToView(string node) => new(node, Id, Owner, Namespace, Key, Outcome, EncryptionKeys, WorkflowId, ExecutionId, CallerDonId, CallerNodes, ReceivedAt);
    }

    private sealed record GatewayNodesJson(string[] Connected);

    private sealed record PeerSessionJson(string Peer, string State, string? Reason);

    private sealed record PeersJson(string? Node, string? Address, PeerSessionJson[] Sessions);

    private sealed record EnclaveIdentityJson(string ModuleId, string TrustedPcrsJson, string CaRootsPem);
}
