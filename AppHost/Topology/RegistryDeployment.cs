namespace CreAspire.AppHost.Topology;

/// <summary>One DON to register: its nodes' signer addresses, F, families and the capabilities it serves.</summary>
public sealed record DonSpec(
    string Name,
    int F,
    IReadOnlyList<string> Families,
    bool AcceptsWorkflows,
    IReadOnlyList<string> NodeNames,
    IReadOnlyList<string> MemberAddresses,
    IReadOnlyList<string> CapabilityIds);

/// <summary>What the registry deployer gets: the chain to deploy on and the DONs to register.</summary>
public sealed record RegistryDeploymentRequest(Uri ChainRpcUrl, long ChainId, IReadOnlyList<DonSpec> Dons, Action<string> Log);

/// <summary>Where the registries landed (0x addresses) and the id each DON got, by DON name.</summary>
public sealed record RegistryDeployment(string WorkflowRegistry, string CapabilitiesRegistry)
{
    public IReadOnlyDictionary<string, uint> DonIds { get; init; } = new Dictionary<string, uint>();
}

/// <summary>Output keys of the contracts step, and the environment variables that carry them to services.</summary>
public static class ContractsOutputs
{
    public const string ChainId = "ChainId";
    public const string WorkflowRegistry = "WorkflowRegistry";
    public const string CapabilitiesRegistry = "CapabilitiesRegistry";

    /// <summary>Output key of a DON's on-chain id ("DonId:relay").</summary>
    public static string DonId(string donName) => "DonId:" + donName;

    public static readonly IReadOnlyDictionary<string, string> Environment = new Dictionary<string, string>
    {
        ["Chain__ChainId"] = ChainId,
        ["Chain__WorkflowRegistry"] = WorkflowRegistry,
        ["Chain__CapabilitiesRegistry"] = CapabilitiesRegistry,
    };
}
