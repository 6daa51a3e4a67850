namespace CreAspire.Hosting.Orchestration;

/// <summary>How resources are shown: kind, parent, endpoints.</summary>
internal static class ResourceKinds
{
    public static string Of(IResource resource) => resource switch
    {
        ProjectResource => "Project",
        AnvilResource => "Anvil",
        ExecutableResource => "Executable",
        PostgresServerResource => "Postgres",
        PostgresDatabaseResource => "PostgresDatabase",
        SetupResource => "Setup",
        ArtifactsServerResource => "Artifacts",
        _ => resource.GetType().Name.Replace("Resource", "", StringComparison.Ordinal),
    };

    public static string? ParentOf(IResource resource) =>
        (resource as IResourceWithParent)?.Parent.Name
        ?? resource.Annotations.OfType<ResourceRelationshipAnnotation>().FirstOrDefault()?.Parent.Name;

    public static IReadOnlyList<string> EndpointsOf(IResource resource) =>
        resource.Annotations.OfType<EndpointAnnotation>()
            .Where(e => e.AllocatedPort is not null)
            .Select(e => $"{e.Scheme}://127.0.0.1:{e.AllocatedPort}")
            .ToList();
}

/// <summary>Picks the runner for each resource kind; hosted resources (databases) are driven by their server's runner.</summary>
internal static class RunnerFactory
{
    public static IEnumerable<ResourceSupervisor> CreateSupervisors(RunContext context) =>
        context.Model.Resources
            .Where(r => r is not PostgresDatabaseResource)
            .Select(r => new ResourceSupervisor(Create(r, context), context))
            .ToList();

    private static ResourceRunner Create(IResource resource, RunContext context) => resource switch
    {
        ProjectResource project => ProcessResourceRunner.ForProject(project, context),
        ExecutableResource executable => ProcessResourceRunner.ForExecutable(executable, context),
        PostgresServerResource server => new Postgres.PostgresRunner(server, context),
        SetupResource setup => new SetupRunner(setup, context),
        ArtifactsServerResource artifacts => new ArtifactsServerRunner(artifacts, context),
        _ => throw new DistributedApplicationException($"The '{resource.Name}' resource has a kind this host cannot run ({resource.GetType().Name})."),
    };
}

/// <summary>Hosted resources (a server's databases) fail or stop with their host.</summary>
internal sealed class HostedResourceStates(ResourceNotificationService notifications, IReadOnlyList<ResourceSupervisor> supervisors)
{
    public void Attach() => notifications.Changed += (change, previous) =>
    {
        var supervisor = supervisors.FirstOrDefault(s => ReferenceEquals(s.Resource, change.Resource));
        if (supervisor is null || !(KnownResourceStates.IsTerminal(change.Snapshot.State) || change.Snapshot.State == KnownResourceStates.Starting))
        {
            return;
        }

        foreach (var hosted in supervisor.Runner.HostedResources)
        {
            var state = change.Snapshot.State switch
            {
                KnownResourceStates.Starting => KnownResourceStates.Starting,
                KnownResourceStates.FailedToStart => KnownResourceStates.FailedToStart,
                _ => KnownResourceStates.Exited,
            };
            var message = state == KnownResourceStates.Starting ? null : $"Its server '{change.Resource.Name}' is {change.Snapshot.State}.";
            _ = notifications.PublishUpdateAsync(hosted, s => KnownResourceStates.IsTerminal(s.State)
                ? s
                : s with { State = state, Message = message, HealthStatus = null });
        }
    };
}
