using CreAspire.Protocol.Topology;
using Microsoft.Extensions.Configuration;

namespace CreAspire.Gateway.Topology;

/// <summary>
/// Topology from configuration, the shape of the original gateway's static ShardedDONs config:
/// <c>Topology:Dons:0:Id=2, Topology:Dons:0:Name=relay, Topology:Dons:0:F=1, Topology:Dons:0:Members:0=0xabc...</c>.
/// Used when no chain-backed <see cref="ITopologySource"/> is registered.
/// </summary>
public static class ConfiguredTopologySource
{
    public const string SectionName = "Topology";

    public static StaticTopologySource FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var dons = new List<DonInfo>();
        foreach (var section in configuration.GetSection(SectionName + ":Dons").GetChildren())
        {
            var members = section.GetSection("Members").GetChildren().Select(m => (m.Value ?? "").ToLowerInvariant()).ToArray();
            if (members.Any(m => !m.StartsWith("0x", StringComparison.Ordinal) || !CreAspire.Chain.Registries.ChainAddresses.IsAddress(m)))
            {
                throw new InvalidOperationException($"{section.Path}:Members must be 0x-prefixed 20-byte addresses; got {string.Join(", ", members)}.");
            }

            dons.Add(new DonInfo(
                section.GetValue<uint>("Id"),
                section["Name"] ?? "",
                section.GetValue<int>("F"),
                [],
                IsPublic: true,
                AcceptsWorkflows: false,
                members,
                []));
        }

        return new StaticTopologySource(new RegistrySnapshot(dons, [], []));
    }
}
