namespace CreAspire.Hosting.ApplicationModel;

/// <summary>How a dependent waits: until the dependency is healthy, or until it has run to completion.</summary>
public enum WaitType
{
    WaitUntilHealthy,
    WaitForCompletion,
}

/// <summary>The annotated resource starts only after <see cref="Resource"/> reached the state <see cref="WaitType"/> asks for.</summary>
public sealed class WaitAnnotation(IResource resource, WaitType waitType) : IResourceAnnotation
{
    public IResource Resource { get; } = resource;

    public WaitType WaitType { get; } = waitType;
}

/// <summary>A fixed environment variable.</summary>
public sealed class EnvironmentAnnotation(string name, Func<string?> value) : IResourceAnnotation
{
    public string Name { get; } = name;

    public Func<string?> Value { get; } = value;
}

/// <summary>Environment computed when the resource starts (after its waits), e.g. from a setup resource's outputs.</summary>
public sealed class EnvironmentCallbackAnnotation(Func<EnvironmentCallbackContext, Task> callback) : IResourceAnnotation
{
    public Func<EnvironmentCallbackContext, Task> Callback { get; } = callback;
}

/// <summary>What an environment callback fills in.</summary>
public sealed class EnvironmentCallbackContext(IResource resource, IDictionary<string, string> environmentVariables, CancellationToken cancellationToken)
{
    public IResource Resource { get; } = resource;

    public IDictionary<string, string> EnvironmentVariables { get; } = environmentVariables;

    public CancellationToken CancellationToken { get; } = cancellationToken;
}

/// <summary>Command-line arguments appended in order.</summary>
public sealed class CommandLineArgsAnnotation(Func<IEnumerable<string>> args) : IResourceAnnotation
{
    /// <summary>Evaluated when the resource starts, so arguments may use allocated ports.</summary>
    public Func<IEnumerable<string>> Args { get; } = args;
}

/// <summary>
/// A named HTTP endpoint on 127.0.0.1. <see cref="Port"/> null means "allocate a free port at start"; <see cref="EnvironmentVariable"/>
/// names a variable that receives the port (projects always get <c>ASPNETCORE_URLS</c>).
/// </summary>
public sealed class EndpointAnnotation(string name, int? port, string? environmentVariable, string scheme = "http") : IResourceAnnotation
{
    public string Name { get; } = name;

    public int? Port { get; } = port;

    public string? EnvironmentVariable { get; } = environmentVariable;

    /// <summary>The port in use, set by the app at start.</summary>
    public int? AllocatedPort { get; internal set; }

    public string Scheme { get; } = scheme;

    public Uri Url => AllocatedPort is { } p
        ? new Uri($"{Scheme}://127.0.0.1:{p}")
        : throw new DistributedApplicationException($"The '{Name}' endpoint has no port yet; endpoints are allocated when the app starts.");
}

/// <summary>Readiness is a GET on <see cref="Path"/> of <see cref="EndpointName"/> answering 2xx.</summary>
public sealed class HttpHealthCheckAnnotation(string path, string endpointName) : IResourceAnnotation
{
    public string Path { get; } = path;

    public string EndpointName { get; } = endpointName;
}

/// <summary>A custom readiness probe (e.g. Postgres accepts a connection, Anvil answers eth_chainId).</summary>
public sealed class HealthProbeAnnotation(string description, Func<IResource, CancellationToken, Task<HealthProbeResult>> probe) : IResourceAnnotation
{
    public string Description { get; } = description;

    public Func<IResource, CancellationToken, Task<HealthProbeResult>> Probe { get; } = probe;
}

/// <summary>One probe outcome; <see cref="Message"/> says why it is unhealthy.</summary>
public sealed record HealthProbeResult(bool IsHealthy, string? Message)
{
    public static HealthProbeResult Healthy { get; } = new(true, null);

    public static HealthProbeResult Unhealthy(string message) => new(false, message);
}

/// <summary>Shows the resource under <see cref="Parent"/> in the dashboard.</summary>
public sealed class ResourceRelationshipAnnotation(IResource parent, string type) : IResourceAnnotation
{
    public IResource Parent { get; } = parent;

    public string Type { get; } = type;
}

/// <summary>The annotated resource uses <see cref="Resource"/> (connection string or service URL); it stops before it.</summary>
public sealed class ResourceReferenceAnnotation(IResource resource) : IResourceAnnotation
{
    public IResource Resource { get; } = resource;
}
