using System.Net;
using System.Net.Sockets;
using CreAspire.Hosting.ApplicationModel;
using Npgsql;

namespace CreAspire.Hosting.Testing;

/// <summary>
/// A real Postgres server for integration tests, run by the same resource the AppHost uses (embedded binaries, initdb,
/// unprivileged when root, its own run directory and port), with fresh databases on demand. Dispose stops it.
/// </summary>
public sealed class PostgresTestServer : IAsyncDisposable
{
    private readonly DistributedApplication _app;
    private readonly PostgresServerResource _server;

    private PostgresTestServer(DistributedApplication app, PostgresServerResource server)
    {
        _app = app;
        _server = server;
    }

    /// <summary>Connection string of the server's "postgres" database, as the superuser.</summary>
    public string AdminConnectionString => _server.GetConnectionString() + ";Database=postgres;Pooling=false";

    public static async Task<PostgresTestServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var builder = DistributedApplicationTestingBuilder.Create([], o => o.DashboardPort = null);
        var postgres = builder.AddPostgres("postgres");
        var app = await builder.BuildAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new PostgresTestServer(app, postgres.Resource);
    }

    /// <summary>Creates an empty database named <paramref name="prefix"/>_&lt;guid&gt; and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix, CancellationToken cancellationToken = default)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}".ToLowerInvariant();
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return $"{_server.GetConnectionString()};Database={name};Timeout=5";
    }

    /// <summary>A free loopback TCP port (for in-process test servers).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
