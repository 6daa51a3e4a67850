using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using CreAspire.Hosting.Setup;
using Microsoft.Extensions.Logging;

namespace CreAspire.AppHost.Topology;

/// <summary>
/// The `contracts` setup step: checks that the chain answers eth_chainId with the expected id, then runs the registry deployer
/// (when one is configured) and publishes chain id, registry addresses and DON ids as outputs.
/// </summary>
internal sealed class ContractsStep(
    IAnvilResource anvil, IReadOnlyList<DonSpec> dons, Func<RegistryDeploymentRequest, CancellationToken, Task<RegistryDeployment>>? deployRegistries)
{
    public async Task RunAsync(SetupStepContext context, CancellationToken cancellationToken)
    {
        var rpc = new Uri(await SetupStepContext.GetConnectionStringAsync(anvil, cancellationToken).ConfigureAwait(false));
        var chainId = await ReadChainIdAsync(rpc, cancellationToken).ConfigureAwait(false);
        if (chainId != anvil.ChainId)
        {
            throw new DistributedApplicationException($"The chain at {rpc} has chain id {chainId}, expected {anvil.ChainId}.");
        }

        context.SetOutput(ContractsOutputs.ChainId, chainId.ToString(CultureInfo.InvariantCulture));
        context.Log.LogInformation("Chain {Rpc} answers with chain id {ChainId}.", rpc, chainId);
        if (deployRegistries is null)
        {
            context.Log.LogWarning("No registry deployer is configured: the registries were not deployed, so services get no Chain__WorkflowRegistry/Chain__CapabilitiesRegistry.");
            return;
        }

        context.Log.LogInformation("Deploying the registries and registering {Dons} DONs.", dons.Count);
        var deployment = await deployRegistries(new RegistryDeploymentRequest(rpc, chainId, dons, line => context.Log.LogInformation("{Line}", line)), cancellationToken)
            .ConfigureAwait(false);
        context.SetOutput(ContractsOutputs.WorkflowRegistry, deployment.WorkflowRegistry);
        context.SetOutput(ContractsOutputs.CapabilitiesRegistry, deployment.CapabilitiesRegistry);
        foreach (var (don, id) in deployment.DonIds)
        {
            context.SetOutput(ContractsOutputs.DonId(don), id.ToString(CultureInfo.InvariantCulture));
        }

        context.Log.LogInformation("WorkflowRegistry at {WorkflowRegistry}, CapabilitiesRegistry at {CapabilitiesRegistry}; DON ids {DonIds}.",
            deployment.WorkflowRegistry, deployment.CapabilitiesRegistry, string.Join(", ", deployment.DonIds.Select(d => $"{d.Key}={d.Value}")));
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
