using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Topology;

namespace CreAspire.Don.Tests.Infrastructure;

/// <summary>Builds registry snapshots and node identities for tests.</summary>
public static class TestTopology
{
    public const string Seed = "don-tests";

    public static NodeIdentity[] Nodes(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => NodeIdentity.Derive($"{prefix}-{i}", Seed))];

    public static DonInfo Don(uint id, string name, int f, IEnumerable<NodeIdentity> members, bool acceptsWorkflows = false, string[]? families = null, bool isPublic = true, params string[] capabilities) =>
        new(id, name, f, families ?? ["family-a"], isPublic, acceptsWorkflows,
            [.. members.Select(m => m.Address)],
            [.. capabilities.Select(c => new DonCapabilityConfig(c, []))]);

    public static RegistrySnapshot Snapshot(params DonInfo[] dons) =>
        new(dons,
            [.. dons.SelectMany(d => d.Members).Distinct().Select(m => new NodeInfo(m, "", [.. dons.Where(d => d.IsMember(m)).SelectMany(d => d.Capabilities.Select(c => c.CapabilityId))]))],
            [.. dons.SelectMany(d => d.Capabilities.Select(c => c.CapabilityId)).Distinct()]);
}

/// <summary>A topology tests can change at run time (registry updates).</summary>
public sealed class MutableTopologySource(RegistrySnapshot snapshot) : ITopologySource
{
    public RegistrySnapshot Snapshot { get; set; } = snapshot;

    public ValueTask<RegistrySnapshot> GetSnapshotAsync(CancellationToken cancellationToken) => ValueTask.FromResult(Snapshot);
}
