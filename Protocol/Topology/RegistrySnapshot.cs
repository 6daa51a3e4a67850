namespace CreAspire.Protocol.Topology;

/// <summary>
/// A node as registered in the CapabilitiesRegistry. <see cref="Signer"/> is the lower-case 0x address of its key;
/// <see cref="EncryptionPublicKey"/> is its registered encryption key as lower-case hex without 0x (32-byte X25519, the
/// form vault GetSecretsRequest.encryption_keys uses), empty when not known.
/// </summary>
public sealed record NodeInfo(string Signer, string P2pId, IReadOnlyList<string> CapabilityIds)
{
    public string EncryptionPublicKey { get; init; } = "";
}

/// <summary>A capability a DON serves, with its per-DON configuration bytes.</summary>
public sealed record DonCapabilityConfig(string CapabilityId, byte[] Config);

/// <summary>A DON as registered on-chain. <see cref="Members"/> are lower-case 0x signer addresses.</summary>
public sealed record DonInfo(
    uint Id,
    string Name,
    int F,
    IReadOnlyList<string> Families,
    bool IsPublic,
    bool AcceptsWorkflows,
    IReadOnlyList<string> Members,
    IReadOnlyList<DonCapabilityConfig> Capabilities)
{
    public bool IsMember(string address) => Members.Contains(address.ToLowerInvariant(), StringComparer.Ordinal);

    public bool Serves(string capabilityId) => Capabilities.Any(c => c.CapabilityId == capabilityId);

    public bool SharesFamilyWith(DonInfo other) => Families.Intersect(other.Families, StringComparer.Ordinal).Any();
}

/// <summary>Everything a node needs to know about the topology, read at one point in time.</summary>
public sealed record RegistrySnapshot(IReadOnlyList<DonInfo> Dons, IReadOnlyList<NodeInfo> Nodes, IReadOnlyList<string> CapabilityIds)
{
    public static RegistrySnapshot Empty { get; } = new([], [], []);

    public DonInfo? FindDon(uint id) => Dons.FirstOrDefault(d => d.Id == id);

    public IEnumerable<DonInfo> DonsOf(string address) => Dons.Where(d => d.IsMember(address));

    /// <summary>The one workflow DON (acceptsWorkflows) the node belongs to, if any.</summary>
    public DonInfo? WorkflowDonOf(string address) => Dons.FirstOrDefault(d => d.AcceptsWorkflows && d.IsMember(address));

    /// <summary>The registered node with this signer address, if any.</summary>
    public NodeInfo? FindNode(string address) => Nodes.FirstOrDefault(n => string.Equals(n.Signer, address, StringComparison.OrdinalIgnoreCase));
}

/// <summary>Where the topology comes from: the chain in production, a fixed snapshot in unit tests.</summary>
public interface ITopologySource
{
    ValueTask<RegistrySnapshot> GetSnapshotAsync(CancellationToken cancellationToken);
}

/// <summary>A fixed topology, for tests and tools.</summary>
public sealed class StaticTopologySource(RegistrySnapshot snapshot) : ITopologySource
{
    public ValueTask<RegistrySnapshot> GetSnapshotAsync(CancellationToken cancellationToken) => ValueTask.FromResult(snapshot);
}
