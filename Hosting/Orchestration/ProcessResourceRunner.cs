using CreAspire.Hosting.Processes;

namespace CreAspire.Hosting.Orchestration;

/// <summary>Runs a resource as a child process built from a <see cref="ProcessSpec"/> computed at start.</summary>
internal class ProcessResourceRunner(IResource resource, RunContext context, Func<CancellationToken, Task<ProcessSpec>> createSpec)
    : ResourceRunner(resource, context)
{
    private RunningProcess? _process;

    public override Task<int>? Completion => _process?.Exited;

    public override int? Pid => _process?.Pid;

    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        var spec = await createSpec(cancellationToken).ConfigureAwait(false);
        Context.Log(Resource, $"Starting: {spec.FileName} {string.Join(' ', spec.Args)}");
        _process = await RunningProcess.StartAsync(spec, (line, isError) => Context.Log(Resource, line, isError), cancellationToken)
            .ConfigureAwait(false);
    }

    public override Task StopAsync() => _process?.StopAsync(Context.Options.StopTimeout) ?? Task.CompletedTask;

    /// <summary>Runs a short-lived helper (e.g. initdb) to completion, logging into this resource, and fails on a non-zero exit.</summary>
    protected async Task RunToCompletionAsync(ProcessSpec spec, TimeSpan timeout, CancellationToken cancellationToken)
    {
        Context.Log(Resource, $"Running: {spec.FileName} {string.Join(' ', spec.Args)}");
        var helper = await RunningProcess.StartAsync(spec, (line, isError) => Context.Log(Resource, line, isError), cancellationToken)
            .ConfigureAwait(false);
        try
        {
            var code = await helper.Exited.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            if (code != 0)
            {
                throw new DistributedApplicationException(
                    $"The '{Resource.Name}' resource could not be prepared: '{Path.GetFileName(spec.FileName)}' exited with code {code}.");
            }
        }
        catch (TimeoutException)
        {
            await helper.StopAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false);
            throw new DistributedApplicationException(
                $"The '{Resource.Name}' resource could not be prepared: '{Path.GetFileName(spec.FileName)}' did not finish within {timeout.TotalSeconds:0} s.");
        }
    }

    public static ProcessResourceRunner ForExecutable(ExecutableResource resource, RunContext context) =>
        new(resource, context, async ct => new ProcessSpec(
            ResolveCommand(resource.Command, context.AppHostDirectory),
            EnvironmentResolver.ResolveArgs(resource),
            await EnvironmentResolver.ResolveAsync(resource, ct).ConfigureAwait(false),
            Path.GetFullPath(resource.WorkingDirectory, context.AppHostDirectory)));

    public static ProcessResourceRunner ForProject(ProjectResource resource, RunContext context) =>
        new(resource, context, async ct =>
        {
            var assembly = ProjectLocator.FindBuiltAssembly(resource);
            return new ProcessSpec(
                "dotnet",
                [assembly, .. EnvironmentResolver.ResolveArgs(resource)],
                await EnvironmentResolver.ResolveAsync(resource, ct).ConfigureAwait(false),
                Path.GetDirectoryName(resource.ProjectPath)!);
        });

    private static string ResolveCommand(string command, string baseDirectory) =>
        command.Contains('/', StringComparison.Ordinal) ? Path.GetFullPath(command, baseDirectory) : command;
}
