using Npgsql;

namespace CreAspire.Hosting;

/// <summary>AddPostgres(...).AddDatabase(...): embedded Postgres from npm (or PATH), ready when it accepts a connection.</summary>
public static class PostgresBuilderExtensions
{
    /// <summary>Adds a Postgres server on a free loopback port (trust auth, user 'postgres', fsync off: for local development only).</summary>
    public static IResourceBuilder<PostgresServerResource> AddPostgres(this IDistributedApplicationBuilder builder, string name)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var resource = new PostgresServerResource(name);
        return builder.AddResource(resource)
            .WithAnnotation(new EndpointAnnotation(PostgresServerResource.EndpointName, null, null, "tcp"))
            .WithAnnotation(new HealthProbeAnnotation("Postgres connection", (r, ct) => ProbeAsync((PostgresServerResource)r, ct)));
    }

    /// <summary>Declares a database created when the server is ready; its resource becomes Healthy once it exists.</summary>
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<PostgresServerResource> builder, string name, string? databaseName = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var database = new PostgresDatabaseResource(name, databaseName ?? name, builder.Resource);
        ResourceNames.Validate(database.DatabaseName);
        builder.Resource.AddDatabase(database);
        return builder.ApplicationBuilder.AddResource(database);
    }

    /// <summary>Keeps the server's data in <paramref name="path"/> across runs instead of a fresh folder per run.</summary>
    public static IResourceBuilder<PostgresServerResource> WithDataDirectory(this IResourceBuilder<PostgresServerResource> builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        builder.Resource.DataDirectory = Path.GetFullPath(path, builder.ApplicationBuilder.AppHostDirectory);
        return builder;
    }

    private static async Task<HealthProbeResult> ProbeAsync(PostgresServerResource resource, CancellationToken cancellationToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(resource.GetConnectionString())
        {
            Database = "postgres", Timeout = 2, Pooling = false,
        }.ConnectionString;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        return HealthProbeResult.Healthy;
    }
}
