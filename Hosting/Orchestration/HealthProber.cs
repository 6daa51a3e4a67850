namespace CreAspire.Hosting.Orchestration;

/// <summary>Runs a resource's readiness probes: every HTTP health check and custom probe must pass.</summary>
internal static class HealthProber
{
    public static bool HasProbes(IResource resource) =>
        resource.Annotations.Any(a => a is HttpHealthCheckAnnotation or HealthProbeAnnotation);

    public static async Task<HealthProbeResult> ProbeAsync(IResource resource, HttpClient client, CancellationToken cancellationToken)
    {
        foreach (var annotation in resource.Annotations)
        {
            var result = annotation switch
            {
                HttpHealthCheckAnnotation http => await ProbeHttpAsync(resource, http, client, cancellationToken).ConfigureAwait(false),
                HealthProbeAnnotation custom => await ProbeCustomAsync(resource, custom, cancellationToken).ConfigureAwait(false),
                _ => HealthProbeResult.Healthy,
            };
            if (!result.IsHealthy)
            {
                return result;
            }
        }

        return HealthProbeResult.Healthy;
    }

    private static async Task<HealthProbeResult> ProbeHttpAsync(
        IResource resource, HttpHealthCheckAnnotation check, HttpClient client, CancellationToken cancellationToken)
    {
        var url = new Uri(resource.GetEndpoint(check.EndpointName), check.Path);
        try
        {
            using var response = await client.GetAsync(url, cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? HealthProbeResult.Healthy
                : HealthProbeResult.Unhealthy($"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return HealthProbeResult.Unhealthy($"GET {url} failed: {ex.Message}");
        }
    }

    private static async Task<HealthProbeResult> ProbeCustomAsync(IResource resource, HealthProbeAnnotation probe, CancellationToken cancellationToken)
    {
        try
        {
            return await probe.Probe(resource, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthProbeResult.Unhealthy($"{probe.Description} failed: {ex.Message}");
        }
    }
}
