using Nethereum.Util;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;

namespace CreAspire.AppHost.Topology;

/// <summary>
/// The DONs of the CRE topology (ARCHITECTURE §3) and the values every node shares. With <see cref="CreTopologyOptions.SingleDon"/>
/// one DON is both the workflow DON and the capability DON.
/// </summary>
public static class CreTopology
{
    /// <summary>Every DON shares this family, so the launcher connects them (the WorkflowRegistry's default DON family).</summary>
    public const string Family = "zone-a";

    public const string WorkflowDon = "workflow";
    public const string RelayDon = "relay";
    public const string CapabilityDon = "capability";

    /// <summary>The secret the sample workflows read, seeded into every vault node.</summary>
    public const string SampleSecretKey = "MOCK_SECRET";

    /// <summary>The DONs the options describe, with node names and their deterministic signer addresses.</summary>
    public static IReadOnlyList<DonSpec> Dons(CreTopologyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.SingleDon)
        {
            return
            [
                Don(WorkflowDon, "wf", options.WorkflowNodes, options.WorkflowF, true,
                    [CapabilityIds.CronTrigger, CapabilityIds.ConfidentialWorkflows, CapabilityIds.Mock, CapabilityIds.Vault], options.Seed),
            ];
        }

        return
        [
            Don(WorkflowDon, "wf", options.WorkflowNodes, options.WorkflowF, true,
                [CapabilityIds.CronTrigger, CapabilityIds.ConfidentialWorkflows], options.Seed),
            Don(RelayDon, "relay", options.RelayNodes, options.RelayF, false, [], options.Seed),
            Don(CapabilityDon, "cap", options.CapabilityNodes, options.CapabilityF, false,
                [CapabilityIds.Mock, CapabilityIds.Vault], options.Seed),
        ];
    }

    /// <summary>The dashboard resource of a DON ("workflow-don").</summary>
    public static string DonResourceName(string donName) => donName + "-don";

    /// <summary>The vault master key every capability node shares (derived from the seed, so runs are reproducible).</summary>
    internal static string VaultMasterKey(string seed) => Convert.ToHexStringLower(Sha3Keccack.Current.CalculateHash(System.Text.Encoding.UTF8.GetBytes(seed + "/vault-master-key")));

    private static DonSpec Don(string name, string prefix, int count, int f, bool acceptsWorkflows, string[] capabilities, string seed)
    {
        var nodeNames = Enumerable.Range(0, count).Select(i => $"{prefix}-{i}").ToList();
        var addresses = nodeNames.Select(n => NodeIdentity.Derive(n, seed).Address).ToList();
        return new DonSpec(name, f, [Family], acceptsWorkflows, nodeNames, addresses, capabilities);
    }
}
