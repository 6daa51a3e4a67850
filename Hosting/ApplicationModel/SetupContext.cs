namespace CreAspire.Hosting.ApplicationModel;

/// <summary>What a setup step sees: the app's resources (endpoints, connection strings), its log, and where to put its outputs.</summary>
public sealed class SetupContext
{
    private readonly SetupResource _resource;
    private readonly DistributedApplicationModel _model;
    private readonly Action<string> _log;

    internal SetupContext(SetupResource resource, DistributedApplicationModel model, string runDirectory, Action<string> log)
    {
        _resource = resource;
        _model = model;
        RunDirectory = runDirectory;
        _log = log;
    }

    public string Name => _resource.Name;

    /// <summary>The folder of this run (for files the step produces).</summary>
    public string RunDirectory { get; }

    /// <summary>Publishes an output that dependents read with <see cref="SetupResource.GetOutput"/> once the step finished.</summary>
    public void SetOutput(string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        _resource.SetOutput(key, value);
    }

    /// <summary>Writes a line to the step's console log (dashboard and log file).</summary>
    public void Log(string line) => _log(line);

    public IResource GetResource(string name) => _model.Find(name);

    public string GetConnectionString(string resourceName) => _model.Find(resourceName) is IResourceWithConnectionString resource
        ? resource.GetConnectionString()
        : throw new DistributedApplicationException($"The '{resourceName}' resource has no connection string.");

    public Uri GetEndpoint(string resourceName, string endpointName = "http") => _model.Find(resourceName).GetEndpoint(endpointName);
}
