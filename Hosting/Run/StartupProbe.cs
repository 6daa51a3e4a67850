using System.Runtime.CompilerServices;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CreAspire.Hosting.Run;

/// <summary>
/// Runs a health probe the way a start-up probe should: until the resource has answered once, one call keeps probing every
/// 100 ms for up to 10 s and returns as soon as it answers. Aspire re-runs a failing check after 1 s, 2 s, 3 s ... up to 5 s,
/// so a plain probe would notice a service that took 3.1 s to start only at 6 s; with fourteen services starting on two
/// cores that back-off was most of the gap between launch and all healthy. Once healthy, each call is a single probe.
/// </summary>
internal static class StartupProbe
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(100);
    private static readonly ConditionalWeakTable<IResource, object> HealthyOnce = [];

    public static async Task<HealthCheckResult> RunAsync(IResource resource, Func<CancellationToken, Task<HealthCheckResult>> probe, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + Window;
        while (true)
        {
            var result = await probe(cancellationToken).ConfigureAwait(false);
            if (result.Status == HealthStatus.Healthy)
            {
                HealthyOnce.AddOrUpdate(resource, true);
                return result;
            }

            if (HealthyOnce.TryGetValue(resource, out _) || DateTime.UtcNow >= deadline)
            {
                return result;
            }

            await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
        }
    }
}
