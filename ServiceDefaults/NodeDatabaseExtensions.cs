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

    /// <summary>
    /// Most connections one node's data source holds. Npgsql's default is 100, kept idle for 300 s: a node's pool grew to
    /// its peak of overlapping queries (syncer poll, API reads, execution writes, health check) after each deploy or burst
    /// and stayed there, so the shared server's backends climbed from 15 to 40 after a few deploys. Every query here is
    /// one short statement, so three connections serve a node; a fourth caller waits for one (up to the connection timeout).
    /// </summary>
    public const int MaxPoolSize = 3;

    /// <summary>How long an idle pooled connection (and its Postgres backend) is kept beyond the first (Npgsql: 300 s).</summary>
    public const int ConnectionIdleLifetimeSeconds = 15;

    /// <summary>
    /// Connections a node's pool keeps open however long it is idle (Npgsql: 0). With 0 every connection was pruned 15 s
    /// after a burst, so the next execution after a pause (a developer's next fire) opened one on every node first: the
    /// traced first confidential execution showed CONNECT at 17-75 ms on each capability node before its vault query. One
    /// backend per node database stays resident instead (8 in the default topology).
    /// </summary>
    public const int MinPoolSize = 1;

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
            settings.ConnectionString = BoundedPool(settings.ConnectionString);
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

    /// <summary>The connection string with the node's pool bounds, unless it sets them itself.</summary>
    public static string? BoundedPool(string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return connectionString;
        }

        var given = new NpgsqlConnectionStringBuilder(connectionString);
        var keys = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!keys.ContainsKey("Maximum Pool Size") && !keys.ContainsKey("Max Pool Size") && !keys.ContainsKey("MaxPoolSize"))
        {
            given.MaxPoolSize = MaxPoolSize;
        }

        if (!keys.ContainsKey("Minimum Pool Size") && !keys.ContainsKey("Min Pool Size") && !keys.ContainsKey("MinPoolSize"))
        {
            given.MinPoolSize = Math.Min(MinPoolSize, given.MaxPoolSize);
        }

        if (!keys.ContainsKey("Connection Idle Lifetime") && !keys.ContainsKey("ConnectionIdleLifetime"))
        {
            given.ConnectionIdleLifetime = ConnectionIdleLifetimeSeconds;
            given.ConnectionPruningInterval = Math.Min(given.ConnectionPruningInterval, 5);
        }

        return given.ConnectionString;
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
