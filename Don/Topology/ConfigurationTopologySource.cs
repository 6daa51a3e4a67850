using CreAspire.Protocol.Topology;
using Microsoft.Extensions.Configuration;

namespace CreAspire.Don.Topology;

/// <summary>
/// A topology given in configuration (section <c>Topology</c>), for runs without a chain and for tools:
/// <c>Topology:Dons:0:Id=1</c>, <c>:Name</c>, <c>:F</c>, <c>:Families:0</c>, <c>:IsPublic</c>, <c>:AcceptsWorkflows</c>,
/// <c>:Members:0=0x..</c>, <c>:Capabilities:0=mock@1.0.0</c>. Production nodes read the CapabilitiesRegistry instead.
/// </summary>
public sealed class ConfigurationTopologySource(RegistrySnapshot snapshot) : ITopologySource
{
    public const string SectionName = "Topology";

    public static bool IsConfigured(IConfiguration configuration) =>
        configuration.GetSection(SectionName).GetSection("Dons").GetChildren().Any();

    public static ConfigurationTopologySource FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var dons = configuration.GetSection(SectionName).GetSection("Dons").Get<List<DonEntry>>() ?? [];
        if (dons.Count == 0)
        {
            throw new InvalidOperationException($"{SectionName}:Dons is empty; configure at least one DON (Topology__Dons__0__Id, ...) or register a chain topology source.");
        }

        var infos = dons.Select(d => new DonInfo(
            d.Id, d.Name ?? $"don-{d.Id}", d.F, d.Families, d.IsPublic, d.AcceptsWorkflows,
            d.Members.Select(m => m.ToLowerInvariant()).ToList(),
            d.Capabilities.Select(c => new DonCapabilityConfig(c, [])).ToList())).ToList();
        foreach (var don in infos.Where(d => d.Members.Count < (3 * d.F) + 1))
        {
            throw new InvalidOperationException($"DON {don.Id} has {don.Members.Count} members, fewer than 3F+1 = {(3 * don.F) + 1}.");
        }

        var nodes = infos.SelectMany(d => d.Members).Distinct()
            .Select(m => new NodeInfo(m, "", infos.Where(d => d.IsMember(m)).SelectMany(d => d.Capabilities.Select(c => c.CapabilityId)).Distinct().ToList()))
            .ToList();
        return new ConfigurationTopologySource(new RegistrySnapshot(infos, nodes, infos.SelectMany(d => d.Capabilities.Select(c => c.CapabilityId)).Distinct().ToList()));
    }

    public ValueTask<RegistrySnapshot> GetSnapshotAsync(CancellationToken cancellationToken) => ValueTask.FromResult(snapshot);

    private sealed class DonEntry
    {
        public uint Id { get; set; }

        public string? Name { get; set; }

        public int F { get; set; }

        public List<string> Families { get; set; } = [];

        public bool IsPublic { get; set; } = true;

        public bool AcceptsWorkflows { get; set; }

        public List<string> Members { get; set; } = [];

        public List<string> Capabilities { get; set; } = [];
    }
}
