using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Npgsql;

namespace CreAspire.Hosting.Testing;

/// <summary>
/// A real Postgres server for integration tests, run by the same integration the AppHost uses (AddEmbeddedPostgres: embedded
/// binaries, unprivileged when root, its own data folder and port, under DCP), with fresh databases on demand.
/// Dispose stops it.
/// </summary>
public sealed class PostgresTestServer : IAsyncDisposable
{
    private readonly DistributedApplication _app;
    private readonly string _serverConnectionString;

    private PostgresTestServer(DistributedApplication app, string serverConnectionString)
    {
        _app = app;
        _serverConnectionString = serverConnectionString;
    }

    /// <summary>Connection string of the server's "postgres" database, as the superuser.</summary>
    public string AdminConnectionString => _serverConnectionString + ";Database=postgres;Pooling=false";

    public static async Task<PostgresTestServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = TestApp.CreateBuilder();
        var postgres = builder.AddEmbeddedPostgres("postgres");
        var app = await TestApp.StartAsync(builder, "postgres", cancellationToken).ConfigureAwait(false);
        var connectionString = await postgres.Resource.ConnectionStringExpression.GetValueAsync(cancellationToken).ConfigureAwait(false);
        return new PostgresTestServer(app, connectionString!);
    }

    /// <summary>Creates an empty database named <paramref name="prefix"/>_&lt;guid&gt; and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}".ToLowerInvariant();
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return $"{_serverConnectionString};Database={name};Timeout=5";
    }

    /// <summary>A free loopback TCP port (for in-process test servers).</summary>
    public static int FreePort() => CreAspire.Hosting.Run.FreePorts.Next();

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
