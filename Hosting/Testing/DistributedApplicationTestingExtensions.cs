namespace CreAspire.Hosting.Testing;

/// <summary>What tests ask a running app: HTTP clients, connection strings, endpoints, health waits.</summary>
public static class DistributedApplicationTestingExtensions
{
    /// <summary>An HttpClient whose BaseAddress is the resource's endpoint.</summary>
    public static HttpClient CreateHttpClient(this DistributedApplication app, string resourceName, string endpointName = "http")
    {
        ArgumentNullException.ThrowIfNull(app);
        return new HttpClient { BaseAddress = app.GetEndpoint(resourceName, endpointName), Timeout = TimeSpan.FromSeconds(30) };
    }

    public static Uri GetEndpoint(this DistributedApplication app, string resourceName, string endpointName = "http")
    {
        ArgumentNullException.ThrowIfNull(app);
        return app.Model.Find(resourceName).GetEndpoint(endpointName);
    }

    public static ValueTask<string?> GetConnectionStringAsync(this DistributedApplication app, string resourceName, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult<string?>(app.Model.Find(resourceName) is IResourceWithConnectionString resource
            ? resource.GetConnectionString()
            : throw new DistributedApplicationException($"The '{resourceName}' resource has no connection string."));
    }

    /// <summary>Waits until the resource is Healthy (fails at once if it failed), within <paramref name="timeout"/> (default 60 s).</summary>
    public static async Task<ResourceSnapshot> WaitForResourceHealthyAsync(
        this DistributedApplication app, string resourceName, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(app);
        var limit = timeout ?? TimeSpan.FromSeconds(60);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            return await app.ResourceNotifications.WaitForResourceHealthyAsync(resourceName, deadline.Token).ConfigureAwait(false);
        }
        catch (DistributedApplicationException ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new DistributedApplicationException(
                $"The '{resourceName}' resource did not become healthy within {limit.TotalSeconds:0} s (it is {app.ResourceNotifications.GetSnapshot(resourceName).State}).", ex);
        }
    }
}
