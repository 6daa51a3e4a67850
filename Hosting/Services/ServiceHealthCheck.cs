using Aspire.Hosting.ApplicationModel;
using CreAspire.Hosting.Run;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CreAspire.Hosting.Services;

/// <summary>Healthy when GET /health answers 2xx (the service's own readiness checks: database, chain, peers).</summary>
internal sealed class ServiceHealthCheck(ServiceExecutableResource resource, Uri url) : IHealthCheck
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
    {
        Timeout = TimeSpan.FromSeconds(3),
    };

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        StartupProbe.RunAsync(resource, async ct =>
        {
            try
            {
                using var response = await Http.GetAsync(url, ct).ConfigureAwait(false);
                return response.IsSuccessStatusCode
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy($"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}: " +
                                                  (await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false)).Trim());
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                return HealthCheckResult.Unhealthy($"GET {url} failed: {ex.Message}");
            }
        }, cancellationToken);
}
