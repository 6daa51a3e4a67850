using System.Reflection;
using DbUp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The Aspire.Npgsql twin: an NpgsqlDataSource from ConnectionStrings__{name} with OpenTelemetry tracing and a
/// readiness check, plus versioned SQL migrations (DbUp, embedded *.sql resources) applied before the host starts.
/// </summary>
public static class NpgsqlExtensions
{
    /// <summary>The connection name services use for their own node database (AppHost: WithReference(db, "nodedb")).</summary>
    public const string NodeDatabase = "nodedb";

    public static TBuilder AddNpgsqlDataSource<TBuilder>(this TBuilder builder, string connectionName, Assembly? migrationsAssembly = null)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionName);
        var connectionString = builder.Configuration.GetConnectionString(connectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{connectionName} is not set; the AppHost passes it as ConnectionStrings__{connectionName} (WithReference).");
        }

        builder.Services.AddNpgsqlDataSource(connectionString, b => b.ConfigureTracing(_ => { }));
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            $"{connectionName}_check",
            sp => new NpgsqlReadyCheck(sp.GetRequiredService<NpgsqlDataSource>()),
            HealthStatus.Unhealthy,
            ["ready"]));

        if (migrationsAssembly is not null)
        {
            // Unpooled: a pooled migration connection would stay open (and its Postgres backend resident) for the pool's idle
            // lifetime next to the data source's own pool, one extra backend per node at idle.
            var migrations = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
            builder.Services.AddHostedService(sp => new MigrationRunner(migrations, migrationsAssembly, sp.GetRequiredService<ILogger<MigrationRunner>>()));
        }

        return builder;
    }

    /// <summary>Applies the embedded *.sql scripts of <paramref name="assembly"/> in name order, once each (journal table schemaversions).</summary>
    public static void ApplyMigrations(string connectionString, Assembly assembly, ILogger logger)
    {
        var upgrader = DeployChanges.To.PostgresqlDatabase(connectionString)
            .WithScriptsEmbeddedInAssembly(assembly, name => name.EndsWith(".sql", StringComparison.OrdinalIgnoreCase))
            .WithTransactionPerScript()
            .LogToNowhere()
            .Build();
        var result = upgrader.PerformUpgrade();
        if (!result.Successful)
        {
            throw new InvalidOperationException(
                $"Database migration {result.ErrorScript?.Name ?? "(unknown script)"} failed: {result.Error?.Message}", result.Error);
        }

        foreach (var script in result.Scripts)
        {
            logger.LogInformation("Applied migration {Script}", script.Name);
        }
    }

    private sealed class MigrationRunner(string connectionString, Assembly assembly, ILogger<MigrationRunner> logger) : IHostedService
    {
        // Runs in StartAsync: hosted services start in order before the server accepts requests, so nothing reads
        // a half-migrated schema.
        public Task StartAsync(CancellationToken cancellationToken)
        {
            ApplyMigrations(connectionString, assembly, logger);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class NpgsqlReadyCheck(NpgsqlDataSource dataSource) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var command = dataSource.CreateCommand("SELECT 1");
                await command.ExecuteScalarAsync(cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                return HealthCheckResult.Unhealthy($"database not reachable: {ex.Message}");
            }
        }
    }
}
