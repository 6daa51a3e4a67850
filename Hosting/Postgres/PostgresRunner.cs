using System.Globalization;
using CreAspire.Hosting.Orchestration;
using CreAspire.Hosting.Processes;
using CreAspire.NativeTools;
using Npgsql;

namespace CreAspire.Hosting.Postgres;

/// <summary>Prepares the data folder (initdb, unprivileged owner when root), runs postgres, then creates the declared databases.</summary>
internal sealed class PostgresRunner : ProcessResourceRunner
{
    private readonly PostgresServerResource _server;

    public PostgresRunner(PostgresServerResource server, RunContext context)
        : base(server, context, ct => CreateSpecAsync(server, context, ct))
    {
        _server = server;
    }

    public override IEnumerable<IResource> HostedResources => _server.Databases;

    public override Task StartAsync(CancellationToken cancellationToken) => PrepareAndStartAsync(cancellationToken);

    /// <summary>
    /// Creates the declared databases once the server accepts connections, without holding the server back: each database
    /// resource turns Healthy as soon as it exists, so its node can start while the others are still being created.
    /// </summary>
    public override Task OnFirstHealthyAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(() => CreateDatabasesAsync(cancellationToken), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task CreateDatabasesAsync(CancellationToken cancellationToken)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(_server.GetConnectionString()) { Database = "postgres", Pooling = false }
            .ConnectionString;
        using var gate = new SemaphoreSlim(3);
        await Task.WhenAll(_server.Databases.Select(async database =>
        {
            await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await CreateDatabaseAsync(connectionString, database, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);
    }

    private async Task CreateDatabaseAsync(string connectionString, PostgresDatabaseResource database, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection))
            {
                exists.Parameters.AddWithValue(database.DatabaseName);
                if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
                {
                    // Names are validated resource names (letters, digits, '-', '_'), so quoting is enough. The default WAL_LOG
                    // strategy measured faster here than FILE_COPY, whose two checkpoints per database add up.
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.DatabaseName}\"", connection);
                    await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            Context.Log(Resource, $"Database '{database.DatabaseName}' is ready.");
            await Context.Notifications.PublishUpdateAsync(database, s => s with
            {
                State = KnownResourceStates.Healthy, HealthStatus = ResourceHealthStatus.Healthy, StartedAt = DateTimeOffset.UtcNow,
            }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            Context.Log(Resource, $"Database '{database.DatabaseName}' could not be created: {ex.Message}", isError: true);
            await Context.Notifications.PublishUpdateAsync(database, s => s with
            {
                State = KnownResourceStates.FailedToStart,
                Message = $"The '{database.Name}' database could not be created on '{_server.Name}': {ex.Message}",
            }).ConfigureAwait(false);
        }
    }

    private async Task PrepareAndStartAsync(CancellationToken cancellationToken)
    {
        var dataDirectory = DataDirectoryOf(_server, Context);
        var user = PostgresUser.ForCurrentProcess();
        PostgresUser.PrepareDirectory(dataDirectory, user);
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            var template = PostgresTemplate.Folder(user);
            if (!PostgresTemplate.Exists(template))
            {
                var initialized = $"{template}-{Guid.NewGuid():N}";
                PostgresUser.PrepareDirectory(initialized, user);
                await RunInitdbAsync(initialized, user, cancellationToken).ConfigureAwait(false);
                PostgresTemplate.Publish(initialized, template);
            }

            var copy = new ProcessSpec("cp", ["-a", template + "/.", dataDirectory], new Dictionary<string, string>(), dataDirectory);
            await RunToCompletionAsync(copy, Context.Options.StartupTimeout, cancellationToken).ConfigureAwait(false);
        }

        await base.StartAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task RunInitdbAsync(string dataDirectory, UnprivilegedUser? user, CancellationToken cancellationToken)
    {
        var initdb = new ProcessSpec(
            Path.Combine(NativeToolPaths.PostgresBinDirectory, "initdb"),
            ["-D", dataDirectory, "-U", PostgresServerResource.UserName, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
            new Dictionary<string, string>(),
            dataDirectory,
            user);
        return RunToCompletionAsync(initdb, Context.Options.StartupTimeout, cancellationToken);
    }

    private static Task<ProcessSpec> CreateSpecAsync(PostgresServerResource server, RunContext context, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        var dataDirectory = DataDirectoryOf(server, context);
        var spec = new ProcessSpec(
            Path.Combine(NativeToolPaths.PostgresBinDirectory, "postgres"),
            [
                "-D", dataDirectory,
                "-p", server.Port.ToString(CultureInfo.InvariantCulture),
                "-k", "",
                "-c", "listen_addresses=127.0.0.1",
                "-c", "fsync=off",
                "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off",
                "-c", "max_connections=300",
                // io_method=sync: backends read themselves instead of three resident I/O worker processes (PostgreSQL 18).
                // shared_buffers stays at its default: at 16 MB, CREATE DATABASE (which copies template1 through shared
                // buffers, and precedes every node's start) took up to twice as long.
                "-c", "io_method=sync",
                "-c", "jit=off",
            ],
            new Dictionary<string, string>(),
            dataDirectory,
            PostgresUser.ForCurrentProcess(),
            PosixSignals.SIGINT);
        return Task.FromResult(spec);
    }

    private static string DataDirectoryOf(PostgresServerResource server, RunContext context) =>
        server.DataDirectory ?? Path.Combine(context.RunDirectory, "data", server.Name);
}
