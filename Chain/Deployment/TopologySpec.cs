using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Deployment;

/// <summary>
/// A node to register: its name (for logs), signer address, 32-byte p2p id and encryption public key (65-byte uncompressed
/// secp256k1, the node's own key: secrets for it are sealed to it).
/// </summary>
public sealed record NodeSpec(string Name, string Signer, byte[] P2pId)
{
    public byte[] EncryptionPublicKey { get; init; } = [];

    /// <summary>The node derived like NodeIdentity: key = EthKey.Derive(seed, name); p2p id = keccak256(public key X ‖ Y).</summary>
    public static NodeSpec Derive(string seed, string name) => FromKey(name, EthKey.Derive(seed, name));

    public static NodeSpec FromKey(string name, EthKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return new NodeSpec(name, key.Address, P2pIdOf(key)) { EncryptionPublicKey = key.PublicKey };
    }

    /// <summary>keccak256 of the uncompressed public key without its 0x04 prefix.</summary>
    public static byte[] P2pIdOf(EthKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Keccak256.Hash(key.PublicKey.AsSpan(1));
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

    public uint WorkflowLimitPerFamily { get; init; } = 100;

    /// <summary>Families whose DON limit is set: those of the DONs that accept workflows.</summary>
    public IReadOnlyList<string> WorkflowFamilies => Dons.Where(d => d.AcceptsWorkflows).SelectMany(d => d.Families).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>Every capability id served by some DON, in first-seen order.</summary>
    public IReadOnlyList<string> CapabilityIds => Dons.SelectMany(d => d.Capabilities).Select(c => c.CapabilityId).Distinct(StringComparer.Ordinal).ToArray();

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
