namespace CreAspire.Hosting.Testing;

/// <summary>
/// Builds an app for a test (shape of Aspire's DistributedApplicationTestingBuilder): random ports, the dashboard on a free port
/// (no console line), a fresh run directory, and shorter timeouts. Declare the same topology the AppHost declares, then BuildAsync.
/// </summary>
public static class DistributedApplicationTestingBuilder
{
    public static IDistributedApplicationTestingBuilder Create(params string[] args) => Create(args, _ => { });

    public static IDistributedApplicationTestingBuilder Create(string[] args, Action<DistributedApplicationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(configure);
        var options = new DistributedApplicationOptions
        {
            Args = args,
            DashboardPort = 0,
            PrintDashboardUrl = false,
            StartupTimeout = TimeSpan.FromSeconds(60),
            DependencyTimeout = TimeSpan.FromSeconds(90),
            StopTimeout = TimeSpan.FromSeconds(5),
        };
        configure(options);
        return new TestingBuilder(new DistributedApplicationBuilder(options));
    }

    private sealed class TestingBuilder(DistributedApplicationBuilder inner) : IDistributedApplicationTestingBuilder
    {
        public Microsoft.Extensions.Configuration.ConfigurationManager Configuration => inner.Configuration;

        public string AppHostDirectory => inner.AppHostDirectory;

        public DistributedApplicationOptions Options => inner.Options;

        public IReadOnlyList<IResource> Resources => inner.Resources;

        public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource => inner.AddResource(resource).Rebind(this);

        public IResourceBuilder<T> CreateResourceBuilder<T>(T resource) where T : IResource => inner.CreateResourceBuilder(resource).Rebind(this);

        public DistributedApplication Build() => inner.Build();

        public Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default) =>
            Task.FromResult(inner.Build());
    }

    private static IResourceBuilder<T> Rebind<T>(this IResourceBuilder<T> builder, IDistributedApplicationBuilder owner) where T : IResource =>
        new ResourceBuilder<T>(owner, builder.Resource);
}

/// <summary>A builder for tests; <see cref="BuildAsync"/> returns the app to start.</summary>
public interface IDistributedApplicationTestingBuilder : IDistributedApplicationBuilder
{
    Task<DistributedApplication> BuildAsync(CancellationToken cancellationToken = default);
}
