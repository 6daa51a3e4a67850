using CreAspire.Protocol.Topology;

namespace CreAspire.Don.Launcher;

/// <summary>A capability this node calls on a DON through the remote protocol, and the DON it calls for.</summary>
public sealed record RemoteCapabilityTarget(string CapabilityId, DonInfo CapabilityDon, uint LocalDonId);

/// <summary>A local capability this node serves for one of its DONs, and the DONs allowed to call it.</summary>
public sealed record ServedCapabilityPlan(string CapabilityId, uint DonId, IReadOnlySet<uint> AllowedCallerDons);

/// <summary>
/// The launcher's reading of the registry for one node (the original launcher's classification). Pure: computed from
/// a snapshot, the node's address and the ids of its local capabilities.
/// </summary>
/// <remarks>
/// Decisions:
/// <list type="bullet">
/// <item>DONs "share a family" when their donFamilies overlap; a DON always shares with itself (even with no families).</item>
/// <item>A capability is served to every DON sharing a family with the serving DON, including the serving DON itself:
/// workflow DONs, relay DONs (non-workflow DONs whose members call capabilities) and, in a single-DON topology, its own
/// members. The allowed set is therefore never empty (the original's "empty workflowDONs provided").</item>
/// <item>Capabilities of the node's own DONs are also called through the remote protocol (to all members, itself
/// included), so F+1 agreement and the recorded caller are the same in single-DON and multi-DON topologies.</item>
/// <item>Remote capability DONs must be public (isPublic), as in the original.</item>
/// <item>When several DONs serve one capability id: the node's own DON first, then the lowest DON id.</item>
/// </list>
/// </remarks>
public sealed record LaunchPlan(
    IReadOnlyList<uint> MyDonIds,
    IReadOnlyList<DonInfo> MyWorkflowDons,
    IReadOnlyList<DonInfo> RemoteWorkflowDons,
    IReadOnlyList<DonInfo> MyCapabilityDons,
    IReadOnlyList<DonInfo> RemoteCapabilityDons,
    IReadOnlyList<RemoteCapabilityTarget> RemoteCapabilities,
    IReadOnlyList<ServedCapabilityPlan> Served)
{
    public static LaunchPlan Compute(RegistrySnapshot snapshot, string myAddress, IReadOnlySet<string> localCapabilityIds)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(localCapabilityIds);
        var myDons = snapshot.DonsOf(myAddress).OrderBy(d => d.Id).ToList();
        var related = snapshot.Dons.Where(d => !myDons.Contains(d) && myDons.Any(m => SharesFamily(m, d))).OrderBy(d => d.Id).ToList();

        var myWorkflowDons = myDons.Where(d => d.AcceptsWorkflows).ToList();
        var myCapabilityDons = myDons.Where(d => d.Capabilities.Count > 0).ToList();
        var remoteWorkflowDons = related.Where(d => d.AcceptsWorkflows).ToList();
        var remoteCapabilityDons = related.Where(d => d.IsPublic && d.Capabilities.Count > 0).ToList();

        var targets = new List<RemoteCapabilityTarget>();
        foreach (var capabilityDon in myCapabilityDons.Concat(remoteCapabilityDons))
        {
            var localDon = myDons.Where(m => SharesFamily(m, capabilityDon)).OrderByDescending(m => m.AcceptsWorkflows).ThenBy(m => m.Id).First();
            foreach (var capability in capabilityDon.Capabilities)
            {
                if (targets.All(t => t.CapabilityId != capability.CapabilityId))
                {
                    targets.Add(new RemoteCapabilityTarget(capability.CapabilityId, capabilityDon, localDon.Id));
                }
            }
        }

        var served = new List<ServedCapabilityPlan>();
        foreach (var don in myCapabilityDons)
        {
            var allowed = snapshot.Dons.Where(d => SharesFamily(don, d)).Select(d => d.Id).ToHashSet();
            served.AddRange(don.Capabilities
                .Where(c => localCapabilityIds.Contains(c.CapabilityId))
                .Select(c => new ServedCapabilityPlan(c.CapabilityId, don.Id, allowed)));
        }

        return new LaunchPlan([.. myDons.Select(d => d.Id)], myWorkflowDons, remoteWorkflowDons, myCapabilityDons, remoteCapabilityDons, targets, served);
    }

    public static bool SharesFamily(DonInfo a, DonInfo b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        return a.Id == b.Id || a.SharesFamilyWith(b);
    }
}
