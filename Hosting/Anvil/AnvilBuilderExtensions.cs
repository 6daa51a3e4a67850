using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace CreAspire.Hosting;

/// <summary>AddAnvil: a local EVM chain (npm @foundry-rs/anvil), ready when eth_chainId answers.</summary>
public static class AnvilBuilderExtensions
{
    private static readonly HttpClient ProbeClient = new() { Timeout = TimeSpan.FromSeconds(2) };

    /// <summary>Adds Anvil on a free loopback port with chain id <paramref name="chainId"/> (default 1337) and deterministic accounts.</summary>
    public static IResourceBuilder<AnvilResource> AddAnvil(this IDistributedApplicationBuilder builder, string name, long chainId = AnvilResource.DefaultChainId)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chainId);
        var resource = new AnvilResource(name, chainId);
        return builder.AddResource(resource)
            .WithHttpEndpoint()
            .WithArgs(() =>
            [
                "--host", "127.0.0.1",
                "--port", resource.GetEndpoint().Port.ToString(CultureInfo.InvariantCulture),
                "--chain-id", chainId.ToString(CultureInfo.InvariantCulture),
            ])
            .WithAnnotation(new HealthProbeAnnotation("eth_chainId", (r, ct) => ProbeChainIdAsync((AnvilResource)r, ct)));
    }

    private static async Task<HealthProbeResult> ProbeChainIdAsync(AnvilResource resource, CancellationToken cancellationToken)
    {
        var request = new { jsonrpc = "2.0", id = 1, method = "eth_chainId", @params = Array.Empty<object>() };
        using var response = await ProbeClient.PostAsJsonAsync(resource.GetEndpoint(), request, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return HealthProbeResult.Unhealthy($"eth_chainId answered HTTP {(int)response.StatusCode}");
        }

        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        var hex = body.RootElement.GetProperty("result").GetString() ?? "";
        var chainId = long.Parse(hex.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return chainId == resource.ChainId
            ? HealthProbeResult.Healthy
            : HealthProbeResult.Unhealthy($"eth_chainId answered {chainId}, expected {resource.ChainId}");
    }
}
