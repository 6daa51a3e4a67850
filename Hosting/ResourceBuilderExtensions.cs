namespace CreAspire.Hosting;

/// <summary>The With... and WaitFor... calls every AppHost uses (Aspire's names and semantics).</summary>
public static class ResourceBuilderExtensions
{
    /// <summary>Sets an environment variable.</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, string? value)
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return builder.WithAnnotation(new EnvironmentAnnotation(name, () => value));
    }

    /// <summary>Sets an environment variable whose value is computed when the resource starts.</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, string name, Func<string?> value)
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(value);
        return builder.WithAnnotation(new EnvironmentAnnotation(name, value));
    }

    /// <summary>Fills environment variables when the resource starts (after its waits), e.g. from a setup resource's outputs.</summary>
    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, Action<EnvironmentCallbackContext> callback)
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(callback);
        return builder.WithAnnotation(new EnvironmentCallbackAnnotation(context =>
        {
            callback(context);
            return Task.CompletedTask;
        }));
    }

    public static IResourceBuilder<T> WithEnvironment<T>(this IResourceBuilder<T> builder, Func<EnvironmentCallbackContext, Task> callback)
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(callback);
        return builder.WithAnnotation(new EnvironmentCallbackAnnotation(callback));
    }

    /// <summary>Appends command-line arguments.</summary>
    public static IResourceBuilder<T> WithArgs<T>(this IResourceBuilder<T> builder, params string[] args) where T : IResourceWithArgs
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(args);
        var copy = args.ToArray();
        return builder.WithAnnotation(new CommandLineArgsAnnotation(() => copy));
    }

    /// <summary>Appends command-line arguments computed when the resource starts (e.g. from allocated ports).</summary>
    public static IResourceBuilder<T> WithArgs<T>(this IResourceBuilder<T> builder, Func<IEnumerable<string>> args) where T : IResourceWithArgs
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(args);
        return builder.WithAnnotation(new CommandLineArgsAnnotation(args));
    }

    /// <summary>
    /// Adds an HTTP endpoint on 127.0.0.1. With no <paramref name="port"/> a free port is allocated at start; <paramref name="env"/>
    /// names a variable that receives the port (projects always get ASPNETCORE_URLS).
    /// </summary>
    public static IResourceBuilder<T> WithHttpEndpoint<T>(this IResourceBuilder<T> builder, int? port = null, string? name = null, string? env = null)
        where T : IResourceWithEndpoints
    {
        ArgumentNullException.ThrowIfNull(builder);
        var endpointName = name ?? "http";
        if (builder.Resource.Annotations.OfType<EndpointAnnotation>().Any(e => e.Name == endpointName))
        {
            throw new DistributedApplicationException($"Endpoint with name '{endpointName}' already exists on the '{builder.Resource.Name}' resource.");
        }

        return builder.WithAnnotation(new EndpointAnnotation(endpointName, port, env));
    }

    /// <summary>Probes GET <paramref name="path"/> on the endpoint: the resource is Healthy while it answers 2xx.</summary>
    public static IResourceBuilder<T> WithHttpHealthCheck<T>(this IResourceBuilder<T> builder, string path = "/health", string? endpointName = null)
        where T : IResourceWithEndpoints
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var endpoint = endpointName ?? "http";
        if (!builder.Resource.Annotations.OfType<EndpointAnnotation>().Any(e => e.Name == endpoint))
        {
            throw new DistributedApplicationException(
                $"The '{builder.Resource.Name}' resource has no endpoint named '{endpoint}'; call WithHttpEndpoint before WithHttpHealthCheck.");
        }

        return builder.WithAnnotation(new HttpHealthCheckAnnotation(path, endpoint));
    }

    /// <summary>Starts the resource only after <paramref name="dependency"/> is healthy (a setup resource: finished).</summary>
    public static IResourceBuilder<T> WaitFor<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency)
        where T : IResourceWithWaitSupport => WaitForCore(builder, dependency, WaitType.WaitUntilHealthy);

    /// <summary>Starts the resource only after <paramref name="dependency"/> ran to completion successfully.</summary>
    public static IResourceBuilder<T> WaitForCompletion<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency)
        where T : IResourceWithWaitSupport => WaitForCore(builder, dependency, WaitType.WaitForCompletion);

    /// <summary>Shows the resource under <paramref name="parent"/> in the dashboard.</summary>
    public static IResourceBuilder<T> WithParentRelationship<T>(this IResourceBuilder<T> builder, IResourceBuilder<IResource> parent)
        where T : IResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(parent);
        if (ReferenceEquals(parent.Resource, builder.Resource))
        {
            throw new DistributedApplicationException($"The '{builder.Resource.Name}' resource cannot be its own parent.");
        }

        return builder.WithAnnotation(new ResourceRelationshipAnnotation(parent.Resource, "Parent"));
    }

    private static IResourceBuilder<T> WaitForCore<T>(IResourceBuilder<T> builder, IResourceBuilder<IResource> dependency, WaitType waitType)
        where T : IResource
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(dependency);
        if (ReferenceEquals(builder.Resource, dependency.Resource))
        {
            throw new DistributedApplicationException($"The '{builder.Resource.Name}' resource cannot wait for itself.");
        }

        if (builder.Resource is IResourceWithParent child && ReferenceEquals(child.Parent, dependency.Resource))
        {
            throw new DistributedApplicationException(
                $"The '{builder.Resource.Name}' resource cannot wait for its parent '{dependency.Resource.Name}'.");
        }

        return builder.WithAnnotation(new WaitAnnotation(dependency.Resource, waitType));
    }
}
