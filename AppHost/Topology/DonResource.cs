namespace CreAspire.AppHost.Topology;

/// <summary>
/// A DON as a resource of its own: the parent of its node resources in the dashboard, healthy when every member is, with its
/// on-chain id, F and members as properties. The workflow DON carries the sample-workflow commands.
/// </summary>
public sealed class DonResource(string name, string donName, int f, IReadOnlyList<string> members) : Resource(name), IResourceWithWaitSupport
{
    /// <summary>The DON's name in the registry ("workflow", "relay", "capability").</summary>
    public string DonName { get; } = donName;

    public int F { get; } = f;

    /// <summary>Names of the node resources (wf-0, wf-1, ...).</summary>
    public IReadOnlyList<string> Members { get; } = members;
}

/// <summary>Healthy when every member node is (waits up to 10 s for that, so the DON turns healthy with its last member).</summary>
internal sealed class DonHealthCheck(DonResource don, Aspire.Hosting.ApplicationModel.ResourceNotificationService notifications)
    : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
{
    public async Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
        Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var window = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        window.CancelAfter(TimeSpan.FromSeconds(10));
        var waits = don.Members.Select(m => (Member: m, Task: notifications.WaitForResourceHealthyAsync(m, window.Token))).ToList();
        try
        {
            await Task.WhenAll(waits.Select(w => w.Task)).ConfigureAwait(false);
            return Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy($"{don.Members.Count} of {don.Members.Count} members healthy.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var waiting = waits.Where(w => !w.Task.IsCompletedSuccessfully).Select(w => w.Member).ToList();
            return Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Unhealthy(
                $"{don.Members.Count - waiting.Count} of {don.Members.Count} members healthy; not yet: {string.Join(", ", waiting)}.");
        }
    }
}
