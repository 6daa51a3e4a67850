using CreAspire.Chain.Deployment;
using ChainDonSpec = CreAspire.Chain.Deployment.DonSpec;

namespace CreAspire.AppHost.Topology;

/// <summary>The `contracts` step's deployer: CapabilitiesRegistry + WorkflowRegistry from Anvil account #0, the DONs registered.</summary>
public static class ChainRegistryDeployer
{
    public static async Task<RegistryDeployment> DeployAsync(RegistryDeploymentRequest request, string seed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var spec = new TopologySpec(request.Dons.Select(don => new ChainDonSpec(
            don.Name,
            don.Families,
            don.F,
            IsPublic: !don.AcceptsWorkflows,
            don.AcceptsWorkflows,
            don.NodeNames.Select(name => NodeSpec.Derive(seed, name)).ToArray(),
            don.CapabilityIds.Select(id => new DonCapabilitySpec(id)).ToArray())).ToArray());
        var deployed = await RegistryDeployer.DeployAsync(request.ChainRpcUrl.ToString(), spec, cancellationToken).ConfigureAwait(false);
        request.Log($"Deployed in block {deployed.BlockNumber}; workflow owner {deployed.WorkflowOwner} is linked.");
        return new RegistryDeployment(deployed.WorkflowRegistry, deployed.CapabilitiesRegistry) { DonIds = deployed.DonIds };
    }
}
