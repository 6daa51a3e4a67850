namespace CreAspire.Hosting;

/// <summary>AddProject, AddExecutable, AddSetup and AddArtifactsServer: the resource entry points.</summary>
public static class ProjectResourceBuilderExtensions
{
    /// <summary>
    /// Adds a .NET project (folder or .csproj, relative to the AppHost folder). It runs from its build output with
    /// <c>dotnet &lt;assembly&gt;.dll</c>; a project that has not been built fails to start with a message saying how to build it.
    /// </summary>
    public static IResourceBuilder<ProjectResource> AddProject(this IDistributedApplicationBuilder builder, string name, string projectPath)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(projectPath);
        var path = Orchestration.ProjectLocator.ResolveProjectPath(projectPath, builder.AppHostDirectory);
        return builder.AddResource(new ProjectResource(name, path));
    }

    /// <summary>Adds a native program (a name on PATH, or a path relative to the AppHost folder) started in <paramref name="workingDirectory"/>.</summary>
    public static IResourceBuilder<ExecutableResource> AddExecutable(
        this IDistributedApplicationBuilder builder, string name, string command, string workingDirectory, params string[] args)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(command);
        ArgumentNullException.ThrowIfNull(workingDirectory);
        var resource = builder.AddResource(new ExecutableResource(name, command, Path.GetFullPath(workingDirectory, builder.AppHostDirectory)));
        return args.Length == 0 ? resource : resource.WithArgs(args);
    }

    /// <summary>
    /// Adds a one-shot in-process step. It runs after its own waits, reaches Finished when <paramref name="run"/> completes, and
    /// fails (FailedToStart, with the exception's message) when it throws. Outputs set with <see cref="SetupContext.SetOutput"/>
    /// are read by dependents with <c>setup.Resource.GetOutput(key)</c> in a <c>WithEnvironment</c> callback after
    /// <c>WaitForCompletion(setup)</c>.
    /// </summary>
    public static IResourceBuilder<SetupResource> AddSetup(
        this IDistributedApplicationBuilder builder, string name, Func<SetupContext, CancellationToken, Task> run)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(run);
        return builder.AddResource(new SetupResource(name, run));
    }

    /// <summary>Serves the files of <paramref name="folder"/> over HTTP on a loopback port (reference it for services__name__http__0).</summary>
    public static IResourceBuilder<ArtifactsServerResource> AddArtifactsServer(this IDistributedApplicationBuilder builder, string name, string folder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(folder);
        var resource = new ArtifactsServerResource(name, Path.GetFullPath(folder, builder.AppHostDirectory));
        return builder.AddResource(resource).WithHttpEndpoint().WithHttpHealthCheck("/health");
    }

    /// <summary>Passes a setup resource's outputs as environment variables (variable name → output key) once it finished.</summary>
    public static IResourceBuilder<T> WithOutputs<T>(
        this IResourceBuilder<T> builder, IResourceBuilder<SetupResource> setup, IReadOnlyDictionary<string, string> variableToOutputKey)
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentNullException.ThrowIfNull(variableToOutputKey);
        var map = variableToOutputKey.ToDictionary();
        return builder.WithEnvironment(context =>
        {
            foreach (var (variable, key) in map)
            {
                context.EnvironmentVariables[variable] = setup.Resource.GetOutput(key);
            }
        });
    }
}
