namespace CreAspire.Chain.Deployment;

/// <summary>
/// Chainlink chain selectors (smartcontractkit/chain-selectors, selectors.yml) for the chain ids CreAspire deploys to. The
/// WorkflowRegistry records where its CapabilitiesRegistry lives as (address, chain selector).
/// </summary>
public static class ChainSelectors
{
    /// <summary>Chain id 1337, the "Dev network" entry of chain-selectors (named geth-testnet): Anvil as CreAspire and local CRE run it.</summary>
    public const ulong DevNetwork1337 = 3379446385462418246;

    /// <summary>The selector Chainlink assigns to <paramref name="chainId"/>, when this project knows it.</summary>
    public static bool TryGet(ulong chainId, out ulong selector)
    {
        selector = chainId == 1337 ? DevNetwork1337 : 0;
        return selector != 0;
    }
}
