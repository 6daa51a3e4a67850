using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CreAspire.Hosting;
using CreAspire.Hosting.ApplicationModel;

namespace CreAspire.AppHost.Topology;

/// <summary>
/// The `contracts` setup resource: checks that Anvil answers eth_chainId with the expected id, then runs the registry deployer
/// (when one is configured) and publishes chain id and registry addresses as outputs.
/// </summary>
internal sealed class ContractsStep(
    string anvilName, long expectedChainId, IReadOnlyList<DonSpec> dons,
    Func<RegistryDeploymentRequest, CancellationToken, Task<RegistryDeployment>>? deployRegistries)
{
    public async Task RunAsync(SetupContext context, CancellationToken cancellationToken)
    {
        var rpc = new Uri(context.GetConnectionString(anvilName));
        var chainId = await ReadChainIdAsync(rpc, cancellationToken).ConfigureAwait(false);
        if (chainId != expectedChainId)
        {
            throw new DistributedApplicationException($"The chain at {rpc} has chain id {chainId}, expected {expectedChainId}.");
        }

        context.SetOutput(ContractsOutputs.ChainId, chainId.ToString(CultureInfo.InvariantCulture));
        context.Log($"Chain {rpc} answers with chain id {chainId}.");
        if (deployRegistries is null)
        {
            context.Log("No registry deployer is configured: the registries were not deployed, so services get no Chain__WorkflowRegistry/Chain__CapabilitiesRegistry.");
            return;
        }

        var deployment = await deployRegistries(new RegistryDeploymentRequest(rpc, chainId, dons, context.Log), cancellationToken).ConfigureAwait(false);
        context.SetOutput(ContractsOutputs.WorkflowRegistry, deployment.WorkflowRegistry);
        context.SetOutput(ContractsOutputs.CapabilitiesRegistry, deployment.CapabilitiesRegistry);
        foreach (var (don, id) in deployment.DonIds)
        {
            context.SetOutput(ContractsOutputs.DonId(don), id.ToString(CultureInfo.InvariantCulture));
        }

        context.Log($"WorkflowRegistry at {deployment.WorkflowRegistry}, CapabilitiesRegistry at {deployment.CapabilitiesRegistry}; " +
                    $"DON ids {string.Join(", ", deployment.DonIds.Select(d => $"{d.Key}={d.Value}"))}.");
    }

    private static async Task<long> ReadChainIdAsync(Uri rpc, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var request = new { jsonrpc = "2.0", id = 1, method = "eth_chainId", @params = Array.Empty<object>() };
        using var response = await http.PostAsJsonAsync(rpc, request, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        var hex = body.RootElement.GetProperty("result").GetString()
            ?? throw new DistributedApplicationException($"The chain at {rpc} answered eth_chainId without a result.");
        return long.Parse(hex.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
