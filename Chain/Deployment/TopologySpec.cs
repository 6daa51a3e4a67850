using CreAspire.Chain.Identity;

namespace CreAspire.Chain.Deployment;

/// <summary>
/// A node to register: its name (for logs), signer address, 32-byte p2p id, 32-byte X25519 encryption public key (what the
/// vault seals secrets to) and 32-byte Ed25519 CSA public key.
/// </summary>
public sealed record NodeSpec(string Name, string Signer, byte[] P2pId)
{
    public byte[] EncryptionPublicKey { get; init; } = [];

    public byte[] CsaKey { get; init; } = [];

    /// <summary>The node derived like NodeIdentity does: <see cref="NodeKeys.Derive"/>(seed, name).</summary>
    public static NodeSpec Derive(string seed, string name) => FromKeys(name, NodeKeys.Derive(seed, name));

    public static NodeSpec FromKeys(string name, NodeKeys keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new NodeSpec(name, keys.Address, keys.P2pId) { EncryptionPublicKey = keys.EncryptionPublicKey, CsaKey = keys.CsaPublicKey };
    }
}

/// <summary>A capability a DON serves, with its per-DON configuration bytes.</summary>
public sealed record DonCapabilitySpec(string CapabilityId, byte[] Config)
{
    public DonCapabilitySpec(string capabilityId) : this(capabilityId, []) { }
}

/// <summary>A DON to register.</summary>
public sealed record DonSpec(
    string Name,
    IReadOnlyList<string> Families,
    int F,
    bool IsPublic,
    bool AcceptsWorkflows,
    IReadOnlyList<NodeSpec> Members,
    IReadOnlyList<DonCapabilitySpec> Capabilities);

/// <summary>
/// The topology to register on a fresh chain. Every workflow DON family (acceptsWorkflows) gets a DON limit of
/// <see cref="WorkflowLimitPerFamily"/> active workflows.
/// </summary>
public sealed record TopologySpec(IReadOnlyList<DonSpec> Dons)
{
    public const string DefaultFamily = "zone-a";
    public const string WorkflowDonName = "workflow";
    public const string RelayDonName = "relay";
    public const string CapabilityDonName = "capability";

    /// <summary>
    /// The real CapabilitiesRegistry refuses a node that supports no capability (<c>InvalidNodeCapabilities</c>). Nodes of a
    /// DON that serves none (the relay DON: it answers the gateway's confidential relay handler, not capability calls)
    /// are registered as supporting this node-level capability, which no DON configures, so no launcher serves it.
    /// </summary>
    public const string RelayNodeCapability = "confidential-relay@1.0.0";

    public uint WorkflowLimitPerFamily { get; init; } = 100;

    /// <summary>Families whose DON limit is set: those of the DONs that accept workflows.</summary>
    public IReadOnlyList<string> WorkflowFamilies => Dons.Where(d => d.AcceptsWorkflows).SelectMany(d => d.Families).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>Every capability id a node supports, in first-seen order (DON capabilities, then the relay marker if used).</summary>
    public IReadOnlyList<string> CapabilityIds => Dons.SelectMany(NodeCapabilitiesOf).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>What the members of <paramref name="don"/> register as supported: the DON's capabilities, or <see cref="RelayNodeCapability"/>.</summary>
    public static IReadOnlyList<string> NodeCapabilitiesOf(DonSpec don)
    {
        ArgumentNullException.ThrowIfNull(don);
        return don.Capabilities.Count > 0 ? don.Capabilities.Select(c => c.CapabilityId).ToArray() : [RelayNodeCapability];
    }

    /// <summary>
    /// The default topology (ARCHITECTURE §3): workflow DON wf-0..n [cron-trigger@1.0.0, confidential-workflows@1.0.0-alpha],
    /// relay DON relay-0..n, capability DON cap-0..n [mock@1.0.0, vault@1.0.0]; all family "zone-a"; keys derived from
    /// <paramref name="seed"/> and the node name (as NodeIdentity does).
    /// </summary>
    public static TopologySpec CreateDefault(string seed = "creaspire-dev", int workflowNodes = 4, int relayNodes = 4, int capabilityNodes = 4, int f = 1) => new(
    [
        new DonSpec(WorkflowDonName, [DefaultFamily], f, IsPublic: false, AcceptsWorkflows: true, Nodes(seed, "wf", workflowNodes),
            [new DonCapabilitySpec("cron-trigger@1.0.0"), new DonCapabilitySpec("confidential-workflows@1.0.0-alpha")]),
        new DonSpec(RelayDonName, [DefaultFamily], f, IsPublic: true, AcceptsWorkflows: false, Nodes(seed, "relay", relayNodes), []),
        new DonSpec(CapabilityDonName, [DefaultFamily], f, IsPublic: true, AcceptsWorkflows: false, Nodes(seed, "cap", capabilityNodes),
            [new DonCapabilitySpec("mock@1.0.0"), new DonCapabilitySpec("vault@1.0.0")]),
    ]);

    private static NodeSpec[] Nodes(string seed, string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => NodeSpec.Derive(seed, $"{prefix}-{i}")).ToArray();
}
