using CreAspire.NativeTools;
using Microsoft.Extensions.Configuration;

namespace CreAspire.Hosting;

/// <summary>The builder behind <see cref="DistributedApplication.CreateBuilder(string[])"/>.</summary>
public sealed class DistributedApplicationBuilder : IDistributedApplicationBuilder
{
    private readonly List<IResource> _resources = [];

    public DistributedApplicationBuilder(DistributedApplicationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options;
        Configuration = new ConfigurationManager();
        Configuration.AddEnvironmentVariables();
        Configuration.AddCommandLine(options.Args);
        ApplyConfiguration(options, Configuration);
        AppHostDirectory = options.AppHostDirectory ?? DefaultAppHostDirectory();
    }

    public ConfigurationManager Configuration { get; }

    public string AppHostDirectory { get; }

    public DistributedApplicationOptions Options { get; }

    public IReadOnlyList<IResource> Resources => _resources;

    public IResourceBuilder<T> AddResource<T>(T resource) where T : IResource
    {
        ArgumentNullException.ThrowIfNull(resource);
        if (_resources.Any(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)))
        {
            throw new DistributedApplicationException($"Cannot add resource of type '{resource.GetType().Name}' with name '{resource.Name}' because resource of type '{_resources.First(r => string.Equals(r.Name, resource.Name, StringComparison.OrdinalIgnoreCase)).GetType().Name}' with that name already exists.");
        }

        _resources.Add(resource);
        return CreateResourceBuilder(resource);
    }

    public IResourceBuilder<T> CreateResourceBuilder<T>(T resource) where T : IResource => new ResourceBuilder<T>(this, resource);

    public DistributedApplication Build()
    {
        DependencyGraph.ThrowIfCyclic(_resources);
        return new DistributedApplication(new DistributedApplicationModel(_resources.ToList()), Options, AppHostDirectory);
    }

    private static void ApplyConfiguration(DistributedApplicationOptions options, IConfiguration configuration)
    {
        if ((configuration["dashboard-port"] ?? configuration["Dashboard:Port"]) is { Length: > 0 } port)
        {
            options.DashboardPort = port is "off" or "none" ? null : int.Parse(port, System.Globalization.CultureInfo.InvariantCulture);
        }

        if ((configuration["keep-data"] ?? configuration["KeepData"]) is { Length: > 0 } keepData)
        {
            options.KeepData = bool.Parse(keepData);
        }

        if ((configuration["run-dir"] ?? configuration["RunDirectory"]) is { Length: > 0 } runDirectory)
        {
            options.RunDirectory = Path.GetFullPath(runDirectory);
        }
    }

    private static string DefaultAppHostDirectory()
    {
        var appHost = Path.Combine(NativeToolPaths.RepositoryRoot, "AppHost");
        return Directory.Exists(appHost) ? appHost : NativeToolPaths.RepositoryRoot;
    }
}

/// <summary>The resources of a built app.</summary>
public sealed class DistributedApplicationModel(IReadOnlyList<IResource> resources)
{
    public IReadOnlyList<IResource> Resources { get; } = resources;

    public IResource Find(string name) => Resources.FirstOrDefault(r => r.Name == name)
        ?? throw new DistributedApplicationException($"The '{name}' resource does not exist in this app.");
}
