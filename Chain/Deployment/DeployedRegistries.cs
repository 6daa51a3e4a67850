using System.Globalization;

namespace CreAspire.Chain.Deployment;

/// <summary>What <see cref="RegistryDeployer"/> produced.</summary>
public sealed record DeployedRegistries(
    ulong ChainId,
    string WorkflowRegistry,
    string CapabilitiesRegistry,
    IReadOnlyDictionary<string, uint> DonIds,
    string Deployer,
    string WorkflowOwner,
    ulong BlockNumber)
{
    /// <summary>The Chainlink chain selector recorded with the CapabilitiesRegistry in the WorkflowRegistry; null when the chain id has none.</summary>
    public ulong? ChainSelector { get; init; }

    /// <summary>The configuration keys nodes read (Chain:ChainId, Chain:WorkflowRegistry, Chain:CapabilitiesRegistry); use "__" for env vars.</summary>
    public IReadOnlyDictionary<string, string> ToConfiguration() => new Dictionary<string, string>
    {
        ["Chain:ChainId"] = ChainId.ToString(CultureInfo.InvariantCulture),
        ["Chain:WorkflowRegistry"] = WorkflowRegistry,
        ["Chain:CapabilitiesRegistry"] = CapabilitiesRegistry,
    };
}
