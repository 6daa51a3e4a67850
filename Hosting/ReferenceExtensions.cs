namespace CreAspire.Hosting;

/// <summary>WithReference: Aspire's environment conventions for connection strings and service discovery.</summary>
public static class ReferenceExtensions
{
    /// <summary>
    /// Passes the source's connection string as <c>ConnectionStrings__{connectionName}</c> (default: the source's name), e.g.
    /// <c>.WithReference(database, "nodedb")</c>.
    /// </summary>
    public static IResourceBuilder<T> WithReference<T>(
        this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithConnectionString> source, string? connectionName = null)
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(source);
        var resource = source.Resource;
        var name = connectionName ?? resource.Name;
        ArgumentException.ThrowIfNullOrWhiteSpace(name, nameof(connectionName));
        builder.WithAnnotation(new ResourceReferenceAnnotation(resource));
        return builder.WithEnvironment(context => context.EnvironmentVariables[$"ConnectionStrings__{name}"] = resource.GetConnectionString());
    }

    /// <summary>Passes every endpoint of the source as <c>services__{name}__{endpoint}__0</c> (Aspire service discovery).</summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResourceWithEndpoints> source)
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(source);
        var resource = source.Resource;
        if (!resource.Annotations.OfType<EndpointAnnotation>().Any())
        {
            throw new DistributedApplicationException(
                $"The '{resource.Name}' resource has no endpoints to reference; call WithHttpEndpoint on it first.");
        }

        builder.WithAnnotation(new ResourceReferenceAnnotation(resource));
        return builder.WithEnvironment(context =>
        {
            foreach (var endpoint in resource.Annotations.OfType<EndpointAnnotation>())
            {
                context.EnvironmentVariables[$"services__{resource.Name}__{endpoint.Name}__0"] = endpoint.Url.ToString().TrimEnd('/');
            }
        });
    }

    /// <summary>The URL of a named endpoint of a resource (valid once the app started).</summary>
    public static Uri GetEndpoint(this IResource resource, string endpointName = "http")
    {
        ArgumentNullException.ThrowIfNull(resource);
        var endpoint = resource.Annotations.OfType<EndpointAnnotation>().FirstOrDefault(e => e.Name == endpointName)
            ?? throw new DistributedApplicationException($"The '{resource.Name}' resource has no endpoint named '{endpointName}'.");
        return endpoint.Url;
    }
}
