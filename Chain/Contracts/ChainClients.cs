using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.RPC.TransactionReceipts;
using Nethereum.Signer;
using Nethereum.Web3;
using Nethereum.Web3.Accounts;

namespace CreAspire.Chain.Contracts;

/// <summary>
/// Nethereum clients as CreAspire uses them: one JSON-RPC client per chain URL (Nethereum's <see cref="RpcClient"/>, whose
/// every request has Nethereum's 20 s timeout), <see cref="Web3"/> read-only or with an <see cref="Account"/> bound to the
/// chain id (EIP-1559 transactions), and receipts polled every few milliseconds (Anvil mines at once; Nethereum's default
/// is 100 ms).
/// </summary>
public static class ChainClients
{
    private static readonly TimeSpan ReceiptPollInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>A JSON-RPC client for <paramref name="rpcUrl"/>; pass <paramref name="http"/> to share a pooled HttpClient.</summary>
    public static IClient CreateRpcClient(string rpcUrl, HttpClient? http = null)
    {
        var uri = ParseUrl(rpcUrl);
        return http is null ? new RpcClient(uri) : new RpcClient(uri, http);
    }

    /// <summary>A Web3 for reads (calls, logs, receipts).</summary>
    public static Web3 ReadOnly(IClient client) => new(client);

    /// <summary>A Web3 that signs with <paramref name="key"/> for chain <paramref name="chainId"/> (EIP-1559 by default).</summary>
    public static Web3 ForAccount(IClient client, EthECKey key, ulong chainId)
    {
        ArgumentNullException.ThrowIfNull(key);
        var web3 = new Web3(new Account(key, chainId), client);
        web3.TransactionManager.UseLegacyAsDefault = false;
        web3.TransactionManager.TransactionReceiptService =
            new TransactionReceiptPollingService(web3.TransactionManager, (int)ReceiptPollInterval.TotalMilliseconds);
        return web3;
    }

    /// <summary>Reads the chain id and returns a Web3 that signs with <paramref name="key"/>.</summary>
    public static async Task<Web3> ConnectAsync(string rpcUrl, EthECKey key, CancellationToken cancellationToken)
    {
        var client = CreateRpcClient(rpcUrl);
        return ForAccount(client, key, await GetChainIdAsync(client, cancellationToken).ConfigureAwait(false));
    }

    public static async Task<ulong> GetChainIdAsync(IClient client, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return (ulong)(await new Web3(client).Eth.ChainId.SendRequestAsync().ConfigureAwait(false)).Value;
    }

    /// <summary>Polls for the receipt of <paramref name="transactionHash"/> until it exists or <paramref name="timeout"/> passes.</summary>
    public static async Task<TransactionReceipt> WaitForReceiptAsync(IWeb3 web3, string transactionHash, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(web3);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var delay = TimeSpan.FromMilliseconds(1);
        try
        {
            while (true)
            {
                if (await web3.Eth.Transactions.GetTransactionReceipt.SendRequestAsync(transactionHash).ConfigureAwait(false) is { } receipt)
                {
                    return receipt;
                }

                await Task.Delay(delay, deadline.Token).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 100));
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Transaction {transactionHash} was not mined within {timeout.TotalSeconds:0.#} s; check that the chain is mining (anvil automine or --block-time).");
        }
    }

    private static Uri ParseUrl(string rpcUrl) => Uri.TryCreate(rpcUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        ? uri
        : throw new ArgumentException($"'{rpcUrl}' is not an http(s) JSON-RPC URL (e.g. http://127.0.0.1:8545).", nameof(rpcUrl));
}
