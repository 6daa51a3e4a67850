using System.Reflection;
using DbUp;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A node's own database: Aspire.Npgsql's data source (ConnectionStrings__nodedb, its health check, tracing and metrics) plus
/// versioned SQL migrations (DbUp, embedded *.sql resources) applied before the host starts.
/// </summary>
public static class NodeDatabaseExtensions
{
    /// <summary>The connection name services use for their own node database (AppHost: WithReference(db, "nodedb")).</summary>
    public const string NodeDatabase = "nodedb";

    public static TBuilder AddNodeDatabase<TBuilder>(this TBuilder builder, Assembly migrationsAssembly) where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(migrationsAssembly);
        // Tracing and metrics only where they are exported (see Extensions.ConfigureOpenTelemetry).
        var exported = Extensions.ExportsTelemetry(builder.Configuration);
        builder.AddNpgsqlDataSource(NodeDatabase, settings =>
        {
            settings.DisableTracing = !exported;
            settings.DisableMetrics = !exported;
        });

        // Unpooled: a pooled migration connection would stay open (and its Postgres backend resident) for the pool's idle
        // lifetime next to the data source's own pool, one extra backend per node at idle.
        var connectionString = builder.Configuration.GetConnectionString(NodeDatabase)
            ?? throw new InvalidOperationException(
                $"ConnectionStrings:{NodeDatabase} is not set; the AppHost passes it as ConnectionStrings__{NodeDatabase} (WithReference).");
        var migrations = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        builder.Services.AddHostedService(sp => new MigrationRunner(migrations, migrationsAssembly, sp.GetRequiredService<ILogger<MigrationRunner>>()));
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
}
