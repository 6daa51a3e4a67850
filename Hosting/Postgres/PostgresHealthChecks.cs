using Aspire.Hosting.ApplicationModel;
using CreAspire.Hosting.Run;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace CreAspire.Hosting.Postgres;

/// <summary>Healthy once the server accepts a connection to its 'postgres' database.</summary>
internal sealed class EmbeddedPostgresHealthCheck(EmbeddedPostgresResource resource) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        StartupProbe.RunAsync(resource, async ct =>
        {
            var connectionString = await resource.ConnectionStringExpression.GetValueAsync(ct).ConfigureAwait(false);
            return await PostgresProbe.SelectOneAsync($"{connectionString};Database=postgres", ct).ConfigureAwait(false);
        }, cancellationToken);
}

/// <summary>Healthy once the database exists and answers; reports why it could not be created.</summary>
internal sealed class PostgresDatabaseHealthCheck(EmbeddedPostgresDatabaseResource resource) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        StartupProbe.RunAsync(resource, async ct =>
        {
            if (resource.Parent.Annotations.OfType<PostgresDatabaseCreatorAnnotation>().LastOrDefault()?.Creator.ErrorOf(resource.DatabaseName) is { } error)
            {
                return HealthCheckResult.Unhealthy($"The database '{resource.DatabaseName}' could not be created: {error}");
            }

            var connectionString = await resource.ConnectionStringExpression.GetValueAsync(ct).ConfigureAwait(false);
            return await PostgresProbe.SelectOneAsync(connectionString!, ct).ConfigureAwait(false);
        }, cancellationToken);
}

internal static class PostgresProbe
{
    public static async Task<HealthCheckResult> SelectOneAsync(string connectionString, CancellationToken cancellationToken)
    {
        var settings = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false, Timeout = 2 };
        try
        {
            await using var connection = new NpgsqlConnection(settings.ConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"{settings.Host}:{settings.Port}/{settings.Database} does not answer: {ex.Message}");
        }
    }
}
