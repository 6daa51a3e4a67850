using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CreAspire.Hosting.Dashboard;

/// <summary>
/// The AppHost's dashboard on 127.0.0.1: a live resources table and console logs (HTML + a little JS), and the same data as JSON
/// at GET /api/resources and GET /api/resources/{name}/logs?after={sequence}.
/// </summary>
internal sealed class DashboardServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private DashboardServer(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    public static async Task<DashboardServer> StartAsync(
        int port, ResourceNotificationService notifications, ResourceLoggerService logs,
        IReadOnlyList<Action<Microsoft.AspNetCore.Routing.IEndpointRouteBuilder>> extensions, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.MapGet("/", () => Results.Content(DashboardPage.Html, "text/html; charset=utf-8"));
        app.MapGet("/api/resources", () => Results.Json(notifications.GetSnapshots().Select(ResourceDto.From)));
        app.MapGet("/api/resources/{name}/logs", (string name, long? after) =>
            notifications.GetSnapshots().Any(s => s.Name == name)
                ? Results.Json(new
                {
                    name,
                    lines = logs.GetLines(name, after ?? 0).Select(l => new { sequence = l.Sequence, timestamp = l.Timestamp, isError = l.IsError, text = l.Text }),
                })
                : Results.NotFound(new { error = $"The '{name}' resource does not exist in this app." }));
        foreach (var extend in extensions)
        {
            extend(app);
        }

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new DistributedApplicationException(
                $"The dashboard could not listen on 127.0.0.1:{port} ({ex.Message}); pass --dashboard-port <free port> (0 picks one).", ex);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new DashboardServer(app, new Uri(address.Replace("[::1]", "127.0.0.1", StringComparison.Ordinal)));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private sealed record ResourceDto(
        string Name, string Kind, string State, string? Health, IReadOnlyList<string> Endpoints, int? Pid,
        DateTimeOffset? StartedAt, DateTimeOffset? StoppedAt, int Restarts, int? ExitCode, string? Message, string? Parent)
    {
        public static ResourceDto From(ResourceSnapshot s) => new(
            s.Name, s.Kind, s.State, s.HealthStatus?.ToString(), s.Endpoints, s.Pid, s.StartedAt, s.StoppedAt, s.Restarts, s.ExitCode, s.Message, s.Parent);
    }
}
