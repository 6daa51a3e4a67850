using System.Globalization;

namespace CreAspire.Hosting.ApplicationModel;

/// <summary>An embedded Postgres server (initdb on first start, one data folder per run unless a persistent one is given).</summary>
public sealed class PostgresServerResource(string name)
    : Resource(name), IResourceWithConnectionString, IResourceWithEndpoints, IResourceWithWaitSupport
{
    public const string EndpointName = "tcp";
    public const string UserName = "postgres";

    private readonly List<PostgresDatabaseResource> _databases = [];

    /// <summary>A data folder kept across runs; null means a fresh folder under the run directory.</summary>
    public string? DataDirectory { get; internal set; }

    public IReadOnlyList<PostgresDatabaseResource> Databases => _databases;

    public int Port => Annotations.OfType<EndpointAnnotation>().First(e => e.Name == EndpointName).AllocatedPort
        ?? throw new DistributedApplicationException($"The '{Name}' resource has no port yet; ports are allocated when the app starts.");

    public string GetConnectionString() =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username={UserName}");

    internal void AddDatabase(PostgresDatabaseResource database) => _databases.Add(database);
}

/// <summary>A database created on its server once the server accepts connections.</summary>
public sealed class PostgresDatabaseResource(string name, string databaseName, PostgresServerResource parent)
    : Resource(name), IResourceWithParent, IResourceWithConnectionString, IResourceWithWaitSupport
{
    public string DatabaseName { get; } = databaseName;

    public PostgresServerResource Server { get; } = parent;

    public IResource Parent => Server;

    public string GetConnectionString() => $"{Server.GetConnectionString()};Database={DatabaseName}";
}
