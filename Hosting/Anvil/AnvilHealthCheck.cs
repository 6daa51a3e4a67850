using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using CreAspire.Hosting.Run;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CreAspire.Hosting.Anvil;

/// <summary>Healthy when eth_chainId answers with the resource's chain id.</summary>
internal sealed class AnvilHealthCheck(IAnvilResource resource) : IHealthCheck
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        StartupProbe.RunAsync(resource, ProbeAsync, cancellationToken);

    private async Task<HealthCheckResult> ProbeAsync(CancellationToken cancellationToken)
    {
        var url = await resource.ConnectionStringExpression.GetValueAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var request = new { jsonrpc = "2.0", id = 1, method = "eth_chainId", @params = Array.Empty<object>() };
            using var response = await Http.PostAsJsonAsync(url, request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return HealthCheckResult.Unhealthy($"eth_chainId on {url} answered HTTP {(int)response.StatusCode}.");
            }

            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
            var hex = body.RootElement.GetProperty("result").GetString() ?? "0x0";
            var chainId = long.Parse(hex.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            return chainId == resource.ChainId
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"eth_chainId on {url} answered {chainId}, expected {resource.ChainId}.");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException && !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"eth_chainId on {url} failed: {ex.Message}");
        }
    }
}
