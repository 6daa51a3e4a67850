using CreAspire.Hosting.Testing;

namespace CreAspire.WorkflowNode.Tests;

/// <summary>
/// A real PostgreSQL server for the test run (the Hosting library's Postgres resource, as in the AppHost: embedded
/// binaries, unprivileged when root). Each test gets its own database (<see cref="CreateDatabaseAsync"/>).
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresTestServer? _server;

    private PostgresTestServer Server => _server ?? throw new InvalidOperationException("The Postgres fixture has not started.");

    public string AdminConnectionString => Server.AdminConnectionString;

    public async Task InitializeAsync() => _server = await PostgresTestServer.StartAsync();

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync() => Server.CreateDatabaseAsync("wf");

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
