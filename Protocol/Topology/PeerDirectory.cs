using Microsoft.Extensions.Configuration;

namespace CreAspire.Protocol.Topology;

/// <summary>
/// Maps a node's signer address to its base URL. The registry says who is in a DON; this says where to reach them.
/// Configured as <c>Peers__&lt;0xaddress&gt;=http://127.0.0.1:port</c> (the AppHost sets one per node).
/// </summary>
public sealed class PeerDirectory
{
    public const string SectionName = "Peers";

    private readonly Dictionary<string, Uri> _peers;

    public PeerDirectory(IReadOnlyDictionary<string, Uri> peers)
    {
        _peers = peers.ToDictionary(p => p.Key.ToLowerInvariant(), p => p.Value, StringComparer.Ordinal);
    }

    public static PeerDirectory FromConfiguration(IConfiguration configuration)
    {
        var section = configuration.GetSection(SectionName);
        var peers = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var child in section.GetChildren())
        {
            if (!Uri.TryCreate(child.Value, UriKind.Absolute, out var uri))
            {
                throw new InvalidOperationException($"Peers:{child.Key} = '{child.Value}' is not an absolute URL; set it to the node's base URL.");
            }

            peers[child.Key.ToLowerInvariant()] = uri;
        }

        return new PeerDirectory(peers);
    }

    public IReadOnlyCollection<string> Addresses => _peers.Keys;

    public bool TryResolve(string address, out Uri? baseUrl) => _peers.TryGetValue(address.ToLowerInvariant(), out baseUrl);

    public Uri Resolve(string address) => TryResolve(address, out var uri)
        ? uri!
        : throw new KeyNotFoundException($"no URL is configured for node {address} (set {SectionName}__{address.ToLowerInvariant()})");
}
