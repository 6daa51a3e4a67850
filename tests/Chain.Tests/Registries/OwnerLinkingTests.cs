using CreAspire.Chain.Contracts;
using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Tests.Registries;

[Collection(AnvilCollection.Name)]
public class OwnerLinkingTests(AnvilChainFixture chain)
{
    // Anvil dev accounts #3 and #4 (publicly documented keys), used only here.
    private static readonly EthKey Account3 = EthKey.FromHex("0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6");
    private static readonly EthKey Account4 = EthKey.FromHex("0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a");
    private readonly CancellationToken _ct = AnvilChainFixture.Timeout();

    [Fact]
    public async Task Deployment_links_the_default_owner_with_the_deployer_as_allowed_signer()
    {
        Assert.True(await chain.Workflows.IsOwnerLinkedAsync(DevAccounts.WorkflowOwner.Address, _ct));
        Assert.True(await chain.Workflows.IsAllowedSignerAsync(DevAccounts.Deployer.Address, _ct));
        Assert.False(await chain.Workflows.IsOwnerLinkedAsync(DevAccounts.Unlinked.Address, _ct));
    }

    [Fact]
    public async Task Owner_linked_with_an_allowed_signers_proof_can_register_and_the_proof_cannot_be_reused()
    {
        var owner = new EvmSigner(chain.Rpc, Account3, chain.Deployed.ChainId);
        var proof = chain.Workflows.CreateLinkProof(DevAccounts.Deployer, owner.Address, chain.Deployed.ChainId, DateTimeOffset.UtcNow.AddMinutes(10));

        var linked = Assert.Single(chain.Workflows.DecodeEvents(await chain.Workflows.LinkOwnerAsync(owner, proof, _ct)));
        await chain.Workflows.UpsertWorkflowAsync(owner, chain.NewRegistration(await chain.NewFamilyAsync()), _ct);

        Assert.Equal("OwnershipLinkUpdated", linked.Name);
        Assert.Equal(owner.Address, linked["owner"].AsAddress());
        var again = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Workflows.LinkOwnerAsync(owner, proof, _ct));
        Assert.Equal($"OwnershipLinkAlreadyExists(owner: {owner.Address})", again.Error?.ToString());
    }

    [Fact]
    public async Task Proof_signed_by_a_signer_that_is_not_allowed_is_refused()
    {
        var owner = new EvmSigner(chain.Rpc, Account4, chain.Deployed.ChainId);
        var proof = chain.Workflows.CreateLinkProof(Account4, owner.Address, chain.Deployed.ChainId, DateTimeOffset.UtcNow.AddMinutes(10));

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Workflows.LinkOwnerAsync(owner, proof, _ct));

        Assert.Equal("InvalidOwnershipLink", ex.ErrorName);
        Assert.Equal(Account4.Address, ex.Error!["recoveredSigner"].AsAddress());
    }

    [Fact]
    public async Task Expired_link_request_is_refused()
    {
        var owner = new EvmSigner(chain.Rpc, Account4, chain.Deployed.ChainId);
        var proof = chain.Workflows.CreateLinkProof(DevAccounts.Deployer, owner.Address, chain.Deployed.ChainId, DateTimeOffset.UtcNow.AddHours(-1));

        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Workflows.LinkOwnerAsync(owner, proof, _ct));

        Assert.Equal("LinkOwnerRequestExpired", ex.ErrorName);
    }

    [Fact]
    public async Task Only_the_registry_owner_sets_DON_limits()
    {
        var ex = await Assert.ThrowsAsync<ContractRevertException>(() => chain.Workflows.SetDonLimitAsync(chain.Owner, "zone-b", 5, true, _ct));

        Assert.Equal("OnlyCallableByOwner()", ex.Error?.ToString());
    }
}
