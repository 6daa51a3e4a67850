namespace CreAspire.Hosting.ApplicationModel;

/// <summary>A native process: <see cref="Command"/> started in <see cref="WorkingDirectory"/>.</summary>
public class ExecutableResource(string name, string command, string workingDirectory)
    : Resource(name), IResourceWithEnvironment, IResourceWithArgs, IResourceWithEndpoints, IResourceWithWaitSupport
{
    /// <summary>The program to run (a name on PATH, or a path relative to the AppHost folder).</summary>
    public virtual string Command { get; } = command;

    public string WorkingDirectory { get; } = workingDirectory;
}

/// <summary>A .NET project launched from its build output with <c>dotnet &lt;assembly&gt;.dll</c>.</summary>
public sealed class ProjectResource(string name, string projectPath)
    : Resource(name), IResourceWithEnvironment, IResourceWithArgs, IResourceWithEndpoints, IResourceWithWaitSupport
{
    /// <summary>The full path of the .csproj.</summary>
    public string ProjectPath { get; } = projectPath;
}

/// <summary>
/// A one-shot in-process step (e.g. deploy contracts). It reaches Finished when <see cref="Run"/> completes; whatever it put in
/// <see cref="SetupContext.Outputs"/> is then readable through <see cref="GetOutput"/> by dependents that WaitForCompletion on it.
/// </summary>
public sealed class SetupResource(string name, Func<SetupContext, CancellationToken, Task> run)
    : Resource(name), IResourceWithWaitSupport
{
    private readonly Dictionary<string, string> _outputs = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public Func<SetupContext, CancellationToken, Task> Run { get; } = run;

    /// <summary>A snapshot of the outputs published so far.</summary>
    public IReadOnlyDictionary<string, string> Outputs
    {
        get
        {
            lock (_gate)
            {
                return new Dictionary<string, string>(_outputs, StringComparer.Ordinal);
            }
        }
    }

    /// <summary>The value of one output; throws if the setup did not publish it (e.g. it has not finished yet).</summary>
    public string GetOutput(string key)
    {
        lock (_gate)
        {
            return _outputs.TryGetValue(key, out var value)
                ? value
                : throw new DistributedApplicationException(
                    $"The '{Name}' resource has no output '{key}'. Outputs are available after it finished; make the dependent WaitForCompletion on it.");
        }
    }

    internal void SetOutput(string key, string value)
    {
        lock (_gate)
        {
            _outputs[key] = value;
        }
    }
}

/// <summary>An in-process static file server (workflow binaries and configs) on a loopback port.</summary>
public sealed class ArtifactsServerResource(string name, string rootDirectory) : Resource(name), IResourceWithEndpoints, IResourceWithWaitSupport
{
    public string RootDirectory { get; } = rootDirectory;
}
