using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using CreAspire.Hosting.Postgres;
using CreAspire.Hosting.Run;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

/// <summary>AddEmbeddedPostgres(...).AddDatabase(...): Postgres as a local executable, with databases as child resources.</summary>
public static class EmbeddedPostgresBuilderExtensions
{
    /// <summary>
    /// Adds a Postgres server run by DCP as an executable on 127.0.0.1 (<paramref name="port"/>, or a free one): the data
    /// folder is prepared from a template cluster before it starts, it is healthy once it accepts a connection, and its
    /// databases are created as soon as it is ready. Its data folder is under the run folder, deleted when the app stops.
    /// </summary>
    public static IResourceBuilder<EmbeddedPostgresResource> AddEmbeddedPostgres(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var installation = builder.ExecutionContext.IsRunMode ? PostgresInstallation.ForThisProcess : null;
        var resource = new EmbeddedPostgresResource(name, installation?.Command ?? "postgres", SharedFolders.Root);
        var chosenPort = port ?? FreePorts.Next();
        if (builder.ExecutionContext.IsRunMode)
        {
            var run = RunFolder.For(builder);
            resource.DataDirectory = Path.Combine(run.Path, "data", name);
            resource.KeepData = run.KeepData;
        }

        var healthCheckKey = $"{name}_check";
        builder.Services.AddHealthChecks().Add(new(healthCheckKey, _ => new EmbeddedPostgresHealthCheck(resource), failureStatus: null, tags: null));
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource, async (e, ct) =>
        {
            var log = e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
            try
            {
                await installation!.PrepareDataDirectoryAsync(resource.DataDirectory, log, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DistributedApplicationException)
            {
                // The reason goes to the resource's log (the dashboard, logs/postgres.log and the start-up report show it).
                log.LogError("The data folder '{DataDirectory}' could not be prepared: {Reason}", resource.DataDirectory, ex.Message);
                throw;
            }
        });
        builder.Eventing.Subscribe<ResourceReadyEvent>(resource, (e, _1) =>
        {
            var creator = new PostgresDatabaseCreator(resource, e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource),
                e.Services.GetRequiredService<ResourceNotificationService>());
            resource.Annotations.Add(new PostgresDatabaseCreatorAnnotation(creator));
            _ = creator.CreateAllAsync(e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
            return Task.CompletedTask;
        });
        builder.Eventing.Subscribe<BeforeStartEvent>((e, _1) =>
        {
            if (!resource.KeepData && builder.ExecutionContext.IsRunMode)
            {
                e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopped.Register(() => DataFolders.DeleteWhenStopped(resource.DataDirectory));
            }

            return Task.CompletedTask;
        });

        // As root the setpriv that drops privileges sets the parent-death signal itself (PostgresInstallation.CommandPrefix).
        return builder.AddResource(resource)
            .WithParentDeathSignal(PostgresInstallation.ParentDeathSignalName, alreadyWrapped: installation is { User: not null })
            .WithEndpoint(port: chosenPort, targetPort: chosenPort, scheme: "tcp", name: EmbeddedPostgresResource.PrimaryEndpointName, isProxied: false)
            .WithArgs(installation?.CommandPrefix.ToArray() ?? [])
            .WithArgs(context =>
            {
                context.Args.Add("-D");
                context.Args.Add(resource.DataDirectory);
                context.Args.Add("-p");
                context.Args.Add(chosenPort.ToString(CultureInfo.InvariantCulture));
                foreach (var setting in ServerSettings)
                {
                    context.Args.Add("-c");
                    context.Args.Add(setting);
                }
            })
            .WithIconName("Database")
            .WithHealthCheck(healthCheckKey)
            .ExcludeFromManifest();
    }

    /// <summary>Adds a database, created on the server once it is ready; the resource is healthy once the database answers.</summary>
    public static IResourceBuilder<EmbeddedPostgresDatabaseResource> AddDatabase(
        this IResourceBuilder<EmbeddedPostgresResource> builder, [ResourceName] string name, string? databaseName = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var database = databaseName ?? name;
        if (database.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
        {
            throw new ArgumentException($"The database name '{database}' may hold only ASCII letters, digits, '-' and '_'.", nameof(databaseName));
        }

        var resource = new EmbeddedPostgresDatabaseResource(name, database, builder.Resource);
        builder.Resource.AddDatabase(resource);
        var healthCheckKey = $"{name}_check";
        builder.ApplicationBuilder.Services.AddHealthChecks().Add(new(healthCheckKey, _ => new PostgresDatabaseHealthCheck(resource), failureStatus: null, tags: null));
        return builder.ApplicationBuilder.AddResource(resource)
            .WithIconName("DatabaseStack")
            .WithHealthCheck(healthCheckKey)
            .ExcludeFromManifest();
    }

    /// <summary>Keeps the server's data in <paramref name="path"/> (kept after the app stops) instead of the run folder.</summary>
    public static IResourceBuilder<EmbeddedPostgresResource> WithDataDirectory(this IResourceBuilder<EmbeddedPostgresResource> builder, string path)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        builder.Resource.DataDirectory = Path.GetFullPath(path, builder.ApplicationBuilder.AppHostDirectory);
        builder.Resource.KeepData = true;
        return builder;
    }

    /// <summary>Loopback only, no Unix socket, nothing flushed to disk: a throw-away development cluster.</summary>
    private static readonly string[] ServerSettings =
    [
        "listen_addresses=127.0.0.1",
        "unix_socket_directories=",
        "fsync=off",
        "synchronous_commit=off",
        "full_page_writes=off",
        "max_connections=300",
        // io_method=sync: backends read themselves instead of three resident I/O worker processes (PostgreSQL 18).
        "io_method=sync",
        "jit=off",
    ];
}
