using System.Net;
using CreAspire.Operations.Nodes;
using Microsoft.Extensions.Options;

namespace CreAspire.Explorer.Configuration;

/// <summary>A node the explorer reads, with its own HTTP client.</summary>
public sealed record ExplorerNode(string Name, NodeRole Role, Uri Url, HttpClient Http);

/// <summary>
/// The nodes of the topology by name and role, each with an <see cref="HttpClient"/> of its own. These clients are made here
/// rather than by IHttpClientFactory on purpose: the service defaults add a retrying resilience handler to factory clients,
/// and a retried "fire now" POST would fire twice; every call carries its own timeout instead.
/// </summary>
public sealed class NodeDirectory : IDisposable
{
    private readonly SocketsHttpHandler _handler = new() { PooledConnectionLifetime = TimeSpan.FromMinutes(2), ConnectTimeout = TimeSpan.FromSeconds(3) };

    public NodeDirectory(IOptions<ExplorerOptions> options, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(options);
        var configured = options.Value.Nodes.Count > 0
            ? options.Value.Nodes.Select(n => (n.Key, n.Value.Role, Url: n.Value.Url))
            : Discover(configuration);
        Nodes = configured
            .Select(n => new ExplorerNode(n.Key, n.Role, new Uri(n.Url.TrimEnd('/') + "/"), new HttpClient(_handler, disposeHandler: false)
            {
                BaseAddress = new Uri(n.Url.TrimEnd('/') + "/"),
                Timeout = Timeout.InfiniteTimeSpan,
                DefaultRequestVersion = HttpVersion.Version11,
            }))
            .OrderBy(n => n.Role).ThenBy(n => n.Name, NodeNameComparer.Instance)
            .ToArray();
        WorkflowNodes = Nodes.Where(n => n.Role == NodeRole.Workflow)
            .Select(n => new WorkflowNodeClient(n.Name, n.Http) { ReadTimeout = options.Value.ReadTimeout }).ToArray();
        ArtifactsUrl = !string.IsNullOrEmpty(options.Value.ArtifactsUrl) ? options.Value.ArtifactsUrl : configuration["services:artifacts:http:0"] ?? "";
    }

    public IReadOnlyList<ExplorerNode> Nodes { get; }

    public IReadOnlyList<WorkflowNodeClient> WorkflowNodes { get; }

    public string ArtifactsUrl { get; }

    public IEnumerable<ExplorerNode> WithRole(NodeRole role) => Nodes.Where(n => n.Role == role);

    public void Dispose()
    {
        foreach (var node in Nodes)
        {
            node.Http.Dispose();
        }

        _handler.Dispose();
    }

    private static IEnumerable<(string Key, NodeRole Role, string Url)> Discover(IConfiguration configuration)
    {
        foreach (var service in configuration.GetSection("services").GetChildren())
        {
            var url = service["http:0"] ?? service["https:0"];
            NodeRole? role = service.Key switch
            {
                _ when service.Key.StartsWith("wf-", StringComparison.Ordinal) => NodeRole.Workflow,
                _ when service.Key.StartsWith("relay-", StringComparison.Ordinal) => NodeRole.Relay,
                _ when service.Key.StartsWith("cap-", StringComparison.Ordinal) => NodeRole.Capability,
                "gateway" => NodeRole.Gateway,
                "enclave" => NodeRole.Enclave,
                _ => null,
            };
            if (role is { } known && !string.IsNullOrEmpty(url))
            {
                yield return (service.Key, known, url);
            }
        }
    }

    /// <summary>wf-2 before wf-10.</summary>
    private sealed class NodeNameComparer : IComparer<string>
    {
        public static readonly NodeNameComparer Instance = new();

        public int Compare(string? x, string? y)
        {
            var (px, nx) = Split(x ?? "");
            var (py, ny) = Split(y ?? "");
            var prefix = string.CompareOrdinal(px, py);
            return prefix != 0 ? prefix : nx.CompareTo(ny);
        }

        private static (string Prefix, int Number) Split(string name)
        {
            var dash = name.LastIndexOf('-');
            return dash > 0 && int.TryParse(name.AsSpan(dash + 1), System.Globalization.CultureInfo.InvariantCulture, out var number)
                ? (name[..dash], number)
                : (name, -1);
        }
    }
}
