using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Topology;

namespace CreAspire.Gateway.Tests.Support;

/// <summary>A relay DON of deterministic node identities (relay-0..n-1), as the AppHost derives them.</summary>
internal sealed class TestDon
{
    public const uint DonId = 7;
    public const string DonName = "relay";

    public TestDon(int nodes = 4, int f = 1)
    {
        Nodes = Enumerable.Range(0, nodes).Select(i => NodeIdentity.Derive($"relay-{i}", "gateway-tests")).ToArray();
        Info = new DonInfo(DonId, DonName, f, ["relay"], true, false, Nodes.Select(n => n.Address).ToArray(), []);
    }

    public IReadOnlyList<NodeIdentity> Nodes { get; }

    public DonInfo Info { get; }

    public IReadOnlyList<string> Addresses => Info.Members;

    public StaticTopologySource Topology => new(new RegistrySnapshot([Info], [], []));

    public static NodeIdentity Outsider { get; } = NodeIdentity.Derive("outsider", "gateway-tests");
}
