using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Logging;

namespace CreAspire.Hosting.Setup;

/// <summary>What a setup step sees: its log (shown in the dashboard), where it may write, and the resources it depends on.</summary>
public sealed class SetupStepContext
{
    private readonly SetupStepResource _step;

    internal SetupStepContext(SetupStepResource step, ILogger log, string runDirectory, IServiceProvider services)
    {
        _step = step;
        Log = log;
        RunDirectory = runDirectory;
        Services = services;
    }

    public ILogger Log { get; }

    /// <summary>The run folder (logs, data, identities of this run).</summary>
    public string RunDirectory { get; }

    public IServiceProvider Services { get; }

    /// <summary>Records an output: shown as a property in the dashboard, read by dependents after the step finished.</summary>
    public void SetOutput(string key, string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentNullException.ThrowIfNull(value);
        _step.SetOutput(key, value);
    }

    /// <summary>The connection string of a resource this step depends on (resolved now: after its WaitFor).</summary>
    public static async Task<string> GetConnectionStringAsync(IResourceWithConnectionString resource, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        return await resource.ConnectionStringExpression.GetValueAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"The '{resource.Name}' resource has no connection string yet.");
    }
}
