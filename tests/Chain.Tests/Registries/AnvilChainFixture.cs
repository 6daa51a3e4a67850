using System.Text;
using CreAspire.Chain.Contracts;
using CreAspire.Chain.Crypto;
using CreAspire.Chain.Deployment;
using CreAspire.Chain.Registries;
using CreAspire.Chain.Rpc;
using CreAspire.Chain.Testing;

namespace CreAspire.Chain.Tests.Registries;

/// <summary>One real Anvil (chain id 1337, free port) with the default topology deployed, shared by the registry tests.</summary>
public sealed class AnvilChainFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private int _families;
    private int _workflows;

    public AnvilProcess Anvil { get; private set; } = null!;

    public EthRpcClient Rpc { get; private set; } = null!;

    public TopologySpec Spec { get; } = TopologySpec.CreateDefault();

    public DeployedRegistries Deployed { get; private set; } = null!;

    public WorkflowRegistry Workflows { get; private set; } = null!;

    public CapabilitiesRegistry Capabilities { get; private set; } = null!;

    /// <summary>Anvil #0: deployer, registry owner, allowed link signer.</summary>
    public EvmSigner Admin { get; private set; } = null!;

    /// <summary>Anvil #1: the linked default workflow owner.</summary>
    public EvmSigner Owner { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        Anvil = await AnvilProcess.StartAsync(timeout.Token);
        Rpc = new EthRpcClient(Anvil.RpcUrl);
        Deployed = await RegistryDeployer.DeployAsync(Anvil.RpcUrl, Spec, timeout.Token);
        Workflows = new WorkflowRegistry(Rpc, Deployed.WorkflowRegistry);
        Capabilities = new CapabilitiesRegistry(Rpc, Deployed.CapabilitiesRegistry);
        Admin = new EvmSigner(Rpc, DevAccounts.Deployer, Deployed.ChainId);
        Owner = new EvmSigner(Rpc, DevAccounts.WorkflowOwner, Deployed.ChainId);
    }

    public async Task DisposeAsync()
    {
        Rpc?.Dispose();
        if (Anvil is not null)
        {
            await Anvil.DisposeAsync();
        }
    }

    /// <summary>A DON family of its own (limit set) so a test's listing is not affected by other tests.</summary>
    public async Task<string> NewFamilyAsync(uint limit = 50)
    {
        var family = $"test-family-{Interlocked.Increment(ref _families)}";
        await Workflows.SetDonLimitAsync(Admin, family, limit, true, Timeout());
        return family;
    }

    /// <summary>A valid registration with a unique name and workflow id.</summary>
    public WorkflowRegistration NewRegistration(string donFamily, string? attributes = null)
    {
        var n = Interlocked.Increment(ref _workflows);
        return new WorkflowRegistration(
            $"workflow-{n}",
            "v1",
            Keccak256.Hash($"workflow-id-{n}"),
            WorkflowStatus.Active,
            donFamily,
            $"http://127.0.0.1:9000/artifacts/workflow-{n}.wasm",
            $"http://127.0.0.1:9000/artifacts/workflow-{n}.config",
            Encoding.UTF8.GetBytes(attributes ?? ""));
    }

    public static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;
}

[CollectionDefinition(Name)]
public sealed class AnvilCollection : ICollectionFixture<AnvilChainFixture>
{
    public const string Name = "anvil";
}
