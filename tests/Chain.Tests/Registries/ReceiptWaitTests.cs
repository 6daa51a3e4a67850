using CreAspire.Chain.Contracts;

namespace CreAspire.Chain.Tests.Registries;

/// <summary>Receipts are awaited through Nethereum's polling service, always with a deadline.</summary>
[Collection(AnvilCollection.Name)]
public class ReceiptWaitTests(AnvilChainFixture chain)
{
    [Fact]
    public async Task A_transaction_that_is_never_mined_times_out_with_a_message_naming_it()
    {
        var web3 = ChainClients.ForAccount(ChainClients.CreateRpcClient(chain.Anvil.RpcUrl), DevAccounts.Unlinked, chain.Deployed.ChainId);
        var unknown = "0x" + new string('a', 64);

        var error = await Assert.ThrowsAsync<TimeoutException>(() => ChainClients.WaitForReceiptAsync(web3, unknown, TimeSpan.FromMilliseconds(300), CancellationToken.None));

        Assert.Equal($"Transaction {unknown} was not mined within 0.3 s; check that the chain is mining (anvil automine or --block-time).", error.Message);
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_reported_as_a_timeout()
    {
        var web3 = ChainClients.ReadOnly(ChainClients.CreateRpcClient(chain.Anvil.RpcUrl));
        using var cancelled = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ChainClients.WaitForReceiptAsync(web3, "0x" + new string('b', 64), TimeSpan.FromMinutes(1), cancelled.Token));
    }

    [Fact]
    public void A_receipt_polling_interval_must_be_positive()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
            ChainClients.ForAccount(ChainClients.CreateRpcClient(chain.Anvil.RpcUrl), DevAccounts.Unlinked, chain.Deployed.ChainId, TimeSpan.Zero));

        Assert.StartsWith("The receipt polling interval must be positive.", error.Message, StringComparison.Ordinal);
    }
}
