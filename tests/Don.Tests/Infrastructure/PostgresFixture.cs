using CreAspire.Hosting.Testing;

namespace CreAspire.Don.Tests.Infrastructure;

/// <summary>
/// One real Postgres server for the test collection (the Hosting library's Postgres resource, as in the AppHost), stopped
/// in DisposeAsync. Tests create one database per node.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresTestServer? _server;

    private PostgresTestServer Server => _server ?? throw new InvalidOperationException("The Postgres fixture has not started.");

    public string AdminConnectionString => Server.AdminConnectionString;

    public async Task InitializeAsync() => _server = await PostgresTestServer.StartAsync();

    /// <summary>Creates a fresh database and returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync(string prefix) => Server.CreateDatabaseAsync(prefix);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    public static int FreePort() => PostgresTestServer.FreePort();
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
