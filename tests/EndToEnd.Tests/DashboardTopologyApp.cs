using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using CreAspire.Hosting.Run;

namespace CreAspire.EndToEnd.Tests;

/// <summary>
/// The default topology with the real Aspire dashboard (which the testing builder otherwise leaves out) and telemetry on,
/// as `dotnet run --project AppHost` has it: every service exports OTLP to the dashboard. The dashboard listens over http
/// on ports the testing builder picks; its telemetry API key is chosen here and its URL and browser token are read from
/// its login line, so a test can read the dashboard's telemetry HTTP API (/api/telemetry/..., X-API-Key) and a browser
/// can log in (/login?t=token).
/// </summary>
public sealed class DashboardTopologyApp : CreApp
{
    private static readonly Regex LoginLine = new(@"Login to the dashboard at (?<url>http://[^/\s""]+)/login\?t=(?<token>[0-9A-Za-z]+)", RegexOptions.CultureInvariant);

    /// <summary>The dashboard's base URL (the testing builder moves it to a port of its own choosing).</summary>
    public Uri DashboardUrl { get; private set; } = null!;

    /// <summary>The dashboard's browser token (for /login?t=...), as the dashboard prints it.</summary>
    public string BrowserToken { get; private set; } = "";

    public string ApiKey { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>A client for the dashboard's telemetry HTTP API, with the API key.</summary>
    public HttpClient DashboardClient()
    {
        var client = new HttpClient { BaseAddress = DashboardUrl, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-API-Key", ApiKey);
        return client;
    }

    protected override Task<IDistributedApplicationTestingBuilder> CreateBuilderAsync(string[] args) =>
        DistributedApplicationTestingBuilder.CreateAsync<Projects.CreAspire_AppHost>(
            [
                .. args, "--telemetry", "true",
                // What the AppHost's http launch profile sets, on free ports.
                $"--ASPNETCORE_URLS=http://localhost:{FreePorts.Next()}",
                $"--ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL=http://localhost:{FreePorts.Next()}",
                $"--ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL=http://localhost:{FreePorts.Next()}",
                "--ASPIRE_ALLOW_UNSECURED_TRANSPORT=true",
                $"--AppHost:DashboardApiKey={ApiKey}",
                "--Dashboard:Api:Enabled=true",
                "--Dashboard:Api:AuthMode=ApiKey",
                $"--Dashboard:Api:PrimaryApiKey={ApiKey}",
            ],
            (options, _) =>
            {
                options.DisableDashboard = false;
                options.AllowUnsecuredTransport = true;
            });

    /// <summary>Reads the dashboard's URL and token from its "Login to the dashboard at ..." log line.</summary>
    protected override async Task StartedAsync()
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        var logs = App.Services.GetRequiredService<ResourceLoggerService>();
        try
        {
            await foreach (var batch in logs.WatchAsync("aspire-dashboard").WithCancellation(timeout.Token))
            {
                foreach (var line in batch)
                {
                    if (LoginLine.Match(line.Content) is { Success: true } login)
                    {
                        DashboardUrl = new Uri(login.Groups["url"].Value + "/");
                        BrowserToken = login.Groups["token"].Value;
                        return;
                    }
                }
            }
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
        }

        throw new InvalidOperationException($"The dashboard printed no login URL within {DefaultTimeout.TotalSeconds} s.\n{DescribeResources(15)}");
    }
}
