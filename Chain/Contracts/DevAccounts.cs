using Nethereum.Signer;

namespace CreAspire.Chain.Contracts;

/// <summary>Anvil's (and Hardhat's) well-known, publicly documented development keys. Never use them on a real chain.</summary>
public static class DevAccounts
{
    /// <summary>Account #0 (0xf39f…2266): deploys the registries and owns them; the allowed signer of owner links.</summary>
    public const string DeployerPrivateKey = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";

    /// <summary>Account #1 (0x7099…79c8): the default workflow owner, linked at deployment.</summary>
    public const string WorkflowOwnerPrivateKey = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";

    /// <summary>Account #2 (0x3c44…93bc): never linked; useful to show that unlinked owners are refused.</summary>
    public const string UnlinkedPrivateKey = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";

    public static EthECKey Deployer => new(DeployerPrivateKey);

    public static EthECKey WorkflowOwner => new(WorkflowOwnerPrivateKey);

    public static EthECKey Unlinked => new(UnlinkedPrivateKey);

    /// <summary>Lower-case 0x address of a key.</summary>
    public static string AddressOf(EthECKey key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return key.GetPublicAddress().ToLowerInvariant();
    }
}
