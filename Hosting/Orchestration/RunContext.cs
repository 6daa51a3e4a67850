namespace CreAspire.Hosting.Orchestration;

/// <summary>What every runner of one app shares.</summary>
internal sealed class RunContext(
    DistributedApplicationModel model,
    DistributedApplicationOptions options,
    string appHostDirectory,
    string runDirectory,
    ResourceNotificationService notifications,
    ResourceLoggerService logs)
{
    public DistributedApplicationModel Model { get; } = model;

    public DistributedApplicationOptions Options { get; } = options;

    public string AppHostDirectory { get; } = appHostDirectory;

    public string RunDirectory { get; } = runDirectory;

    public ResourceNotificationService Notifications { get; } = notifications;

    public ResourceLoggerService Logs { get; } = logs;

    public HttpClient ProbeClient { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) })
    {
        Timeout = TimeSpan.FromSeconds(2),
    };

    public void Log(IResource resource, string line, bool isError = false)
    {
        Logs.Append(resource.Name, line, isError);
        if (Options.EchoResourceLogs)
        {
            Console.WriteLine($"[{resource.Name}] {line}");
        }
    }
}

/// <summary>Runs one kind of resource: launch, optional post-ready work, stop.</summary>
internal abstract class ResourceRunner(IResource resource, RunContext context)
{
    public IResource Resource { get; } = resource;

    protected RunContext Context { get; } = context;

    /// <summary>Completes with the exit code when the resource ends by itself (process exit, setup done); null if it never does.</summary>
    public virtual Task<int>? Completion => null;

    public virtual int? Pid => null;

    /// <summary>Launches the resource; returns when it is running (not necessarily healthy).</summary>
    public abstract Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Work to do once the resource first answers its probes, before it is reported Healthy (e.g. create databases).</summary>
    public virtual Task OnFirstHealthyAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Resources this runner publishes state for besides its own (e.g. a server's databases).</summary>
    public virtual IEnumerable<IResource> HostedResources => [];

    public abstract Task StopAsync();
}
