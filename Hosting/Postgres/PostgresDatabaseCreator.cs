using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CreAspire.Hosting.Postgres;

/// <summary>
/// Creates a server's declared databases once it is ready, three at a time, without holding the server back: each database
/// resource turns healthy as soon as its database exists, so its node can start while the others are still being created.
/// </summary>
internal sealed class PostgresDatabaseCreator(EmbeddedPostgresResource server, ILogger log, ResourceNotificationService notifications)
{
    private readonly ConcurrentDictionary<string, string> _errors = new(StringComparer.Ordinal);

    public string? ErrorOf(string databaseName) => _errors.GetValueOrDefault(databaseName);

    public async Task CreateAllAsync(CancellationToken cancellationToken)
    {
        var admin = await server.ConnectionStringExpression.GetValueAsync(cancellationToken).ConfigureAwait(false);
        var connectionString = new NpgsqlConnectionStringBuilder($"{admin};Database=postgres") { Pooling = false, Timeout = 10 }.ConnectionString;
        using var gate = new SemaphoreSlim(3);
        await Task.WhenAll(server.DatabaseResources.Select(async database =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await CreateAsync(connectionString, database, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
    }

    private async Task CreateAsync(string connectionString, EmbeddedPostgresDatabaseResource resource, CancellationToken cancellationToken)
    {
        var database = resource.DatabaseName;
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
            exists.Parameters.AddWithValue(database);
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                // Names are validated (letters, digits, '-', '_'), so quoting is enough. WAL_LOG (the default strategy) measured
                // faster here than FILE_COPY, whose two checkpoints per database add up.
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            log.LogInformation("Database '{Database}' is ready.", database);
            await notifications.PublishUpdateAsync(resource, s => s with
            {
                State = KnownResourceStates.Running,
                StartTimeStamp = DateTime.UtcNow,
            }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            _errors[database] = ex.Message;
            log.LogError("Database '{Database}' could not be created: {Error}", database, ex.Message);
            await notifications.PublishUpdateAsync(resource, s => s with
            {
                State = new ResourceStateSnapshot(KnownResourceStates.FailedToStart, KnownResourceStateStyles.Error),
                Properties = s.Properties.Add(new ResourcePropertySnapshot("setup.error", $"The database '{database}' could not be created: {ex.Message}")),
            }).ConfigureAwait(false);
        }
    }
}

/// <summary>Links a server to the creator of its databases, so their health checks can report a creation error.</summary>
internal sealed class PostgresDatabaseCreatorAnnotation(PostgresDatabaseCreator creator) : IResourceAnnotation
{
    public PostgresDatabaseCreator Creator { get; } = creator;
}
