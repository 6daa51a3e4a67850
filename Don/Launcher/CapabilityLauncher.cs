using CreAspire.Don.Remote;
using CreAspire.Don.Transport;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Topology;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CreAspire.Don.Launcher;

/// <summary>Launcher timing (configuration section <c>Don:Launcher</c>).</summary>
public sealed class CapabilityLauncherOptions
{
    public const string SectionName = "Don:Launcher";

    /// <summary>How often the registry is re-read.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);
}

/// <summary>A capability implemented in this process, served to other DONs when this node's DON lists it.</summary>
public sealed record LocalCapability(IExecutableCapability Capability);

/// <summary>
/// Reads the topology, registers <see cref="RemoteCapabilityClient"/>s for capabilities of capability DONs in the node's
/// <see cref="ICapabilityRegistry"/>, and tells the <see cref="RemoteCapabilityServer"/> which local capabilities to serve
/// to which DONs. Runs at start, every <see cref="CapabilityLauncherOptions.RefreshInterval"/> and on <see cref="RefreshAsync"/>.
/// Entries in the registry that are not remote clients (local implementations) are never replaced.
/// </summary>
public sealed partial class CapabilityLauncher(
    ITopologySource topology,
    ICapabilityRegistry registry,
    IEnumerable<LocalCapability> localCapabilities,
    RemoteCapabilityServer server,
    DonTransportClient transport,
    IOptions<CapabilityLauncherOptions> options,
    IOptions<RemoteCapabilityOptions> remoteOptions,
    ILogger<CapabilityLauncher> logger) : BackgroundService
{
    private readonly IReadOnlyList<IExecutableCapability> _local = localCapabilities.Select(l => l.Capability).ToList();
    private readonly SemaphoreSlim _refreshing = new(1, 1);
    private readonly TaskCompletionSource _firstRefresh = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The plan applied last (null before the first read).</summary>
    public LaunchPlan? Current { get; private set; }

    /// <summary>Completes once the first topology read was applied.</summary>
    public Task Ready => _firstRefresh.Task;

    /// <summary>Re-reads the registry now and applies it (e.g. after a registry change event).</summary>
    public async Task<LaunchPlan> RefreshAsync(CancellationToken cancellationToken)
    {
        await _refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var snapshot = await topology.GetSnapshotAsync(cancellationToken).ConfigureAwait(false);
            var plan = LaunchPlan.Compute(snapshot, transport.Identity.Address, _local.Select(c => c.Id).ToHashSet(StringComparer.Ordinal));
            Apply(plan);
            if (Current is null || Describe(Current) != Describe(plan))
            {
                LogPlan(logger, transport.Identity.Address, Describe(plan));
            }

            Current = plan;
            _firstRefresh.TrySetResult();
            return plan;
        }
        finally
        {
            _refreshing.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RefreshInterval, transport.Clock);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogRefreshFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private void Apply(LaunchPlan plan)
    {
        foreach (var target in plan.RemoteCapabilities)
        {
            if (registry.TryGet(target.CapabilityId, out var existing))
            {
                if (existing is not RemoteCapabilityClient client)
                {
                    continue; // a local implementation wins
                }

                if (SameDon(client.CapabilityDon, target.CapabilityDon) && client.LocalDonId == target.LocalDonId && client.MemberOf!.SequenceEqual(plan.MyDonIds))
                {
                    continue;
                }
            }

            registry.AddOrReplace(new RemoteCapabilityClient(target.CapabilityId, target.CapabilityDon, target.LocalDonId, transport, remoteOptions.Value, logger, plan.MyDonIds));
        }

        // Sessions to every member this node will call, opened now rather than by the first call (the handshake signs and
        // recovers two secp256k1 signatures; the first confidential execution used to pay for it on every hop).
        transport.Open(plan.RemoteCapabilities.SelectMany(t => t.CapabilityDon.Members).Distinct(StringComparer.OrdinalIgnoreCase));

        foreach (var id in registry.Ids)
        {
            if (registry.TryGet(id, out var existing) && existing is RemoteCapabilityClient && plan.RemoteCapabilities.All(t => t.CapabilityId != id))
            {
                registry.Remove(id);
            }
        }

        server.Serve(plan.Served.Select(s => new ServedCapability(_local.First(c => c.Id == s.CapabilityId), s.DonId, s.AllowedCallerDons)));
    }

    private static string Describe(LaunchPlan plan) =>
        $"myWorkflowDONs=[{Ids(plan.MyWorkflowDons)}] remoteWorkflowDONs=[{Ids(plan.RemoteWorkflowDons)}] " +
        $"myCapabilityDONs=[{Ids(plan.MyCapabilityDons)}] remoteCapabilityDONs=[{Ids(plan.RemoteCapabilityDons)}] " +
        $"calls=[{string.Join(", ", plan.RemoteCapabilities.Select(t => $"{t.CapabilityId}@DON{t.CapabilityDon.Id} for DON{t.LocalDonId}"))}] " +
        $"serves=[{string.Join(", ", plan.Served.Select(s => $"{s.CapabilityId}@DON{s.DonId} to DONs {string.Join('/', s.AllowedCallerDons.Order())}"))}]";

    private static bool SameDon(DonInfo a, DonInfo b) => a.Id == b.Id && a.F == b.F && a.Members.SequenceEqual(b.Members, StringComparer.Ordinal);

    private static string Ids(IEnumerable<DonInfo> dons) => string.Join(", ", dons.Select(d => d.Id));

    public override void Dispose()
    {
        _refreshing.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Capability launcher for {Address}: {Plan}")]
    private static partial void LogPlan(ILogger logger, string address, string plan);

    [LoggerMessage(Level = LogLevel.Error, Message = "Capability launcher could not read the topology; keeping the previous plan")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
