using System.Text;
using CreAspire.Chain.Contracts;
using CreAspire.Chain.Deployment;
using CreAspire.Chain.Registries;
using CreAspire.Chain.Testing;
using Nethereum.Util;
using Nethereum.Web3;
using Cap = CreAspire.Chain.Contracts.CapabilitiesRegistry;

namespace CreAspire.Chain.Tests.Registries;

/// <summary>One real Anvil (chain id 1337, free port) with Chainlink's registries and the default topology deployed, shared by the registry tests.</summary>
public sealed class AnvilChainFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);
    private int _families;
    private int _workflows;

    public AnvilProcess Anvil { get; private set; } = null!;

    public TopologySpec Spec { get; } = TopologySpec.CreateDefault();

    public DeployedRegistries Deployed { get; private set; } = null!;

    /// <summary>Read-only Web3.</summary>
    public IWeb3 Web3 { get; private set; } = null!;

    public WorkflowRegistryReader Workflows { get; private set; } = null!;

    public CapabilitiesRegistryReader Capabilities { get; private set; } = null!;

    /// <summary>Anvil #0: deployer, registry owner, allowed link signer.</summary>
    public WorkflowRegistryWriter Admin { get; private set; } = null!;

    /// <summary>Anvil #1: the linked default workflow owner.</summary>
    public WorkflowRegistryWriter Owner { get; private set; } = null!;

    /// <summary>The CapabilitiesRegistry as its owner (Anvil #0) sees it.</summary>
    public Cap.CapabilitiesRegistryService CapabilitiesAdmin { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        Anvil = await AnvilProcess.StartAsync(timeout.Token);
        Deployed = await RegistryDeployer.DeployAsync(Anvil.RpcUrl, Spec, timeout.Token);
        var client = ChainClients.CreateRpcClient(Anvil.RpcUrl);
        Web3 = ChainClients.ReadOnly(client);
        Workflows = new WorkflowRegistryReader(Web3, Deployed.WorkflowRegistry);
        Capabilities = new CapabilitiesRegistryReader(Web3, Deployed.CapabilitiesRegistry);
        Admin = Writer(DevAccounts.Deployer);
        Owner = Writer(DevAccounts.WorkflowOwner);
        CapabilitiesAdmin = new Cap.CapabilitiesRegistryService(ChainClients.ForAccount(client, DevAccounts.Deployer, Deployed.ChainId), Deployed.CapabilitiesRegistry);
    }

    public async Task DisposeAsync()
    {
        if (Anvil is not null)
        {
            await Anvil.DisposeAsync();
        }
    }

    /// <summary>A writer for the WorkflowRegistry signing with <paramref name="key"/>.</summary>
    public WorkflowRegistryWriter Writer(Nethereum.Signer.EthECKey key) =>
        new(ChainClients.ForAccount(ChainClients.CreateRpcClient(Anvil.RpcUrl), key, Deployed.ChainId), Deployed.WorkflowRegistry);

    /// <summary>A DON family of its own (limit set) so a test's listing is not affected by other tests.</summary>
    public async Task<string> NewFamilyAsync(uint limit = 50)
    {
        var family = $"test-family-{Interlocked.Increment(ref _families)}";
        await Admin.SetDonLimitAsync(family, limit, true, Timeout());
        return family;
    }

    /// <summary>A valid registration with a unique name and workflow id.</summary>
    public WorkflowRegistration NewRegistration(string donFamily, string? attributes = null)
    {
        var n = Interlocked.Increment(ref _workflows);
        return new WorkflowRegistration(
            $"workflow-{n}",
            "v1",
            Id($"workflow-id-{n}"),
            WorkflowStatus.Active,
            donFamily,
            $"http://127.0.0.1:9000/artifacts/workflow-{n}.wasm",
            $"http://127.0.0.1:9000/artifacts/workflow-{n}.config",
            Encoding.UTF8.GetBytes(attributes ?? ""));
    }

    public static byte[] Id(string text) => Sha3Keccack.Current.CalculateHash(Encoding.UTF8.GetBytes(text));

    public static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}

[CollectionDefinition(Name)]
public sealed class AnvilCollection : ICollectionFixture<AnvilChainFixture>
{
    public const string Name = "anvil";
}
