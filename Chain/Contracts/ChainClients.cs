using CreAspire.Chain.Identity;
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
/// chain id (EIP-1559 transactions), and receipts polled by Nethereum's <see cref="TransactionReceiptPollingService"/>.
/// </summary>
public static class ChainClients
{
    /// <summary>Nethereum's own receipt polling interval (<see cref="TransactionReceiptPollingService"/>'s default).</summary>
    public static readonly TimeSpan NethereumReceiptPollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How often receipts are polled unless a caller says otherwise. Anvil (automine) has most receipts at the first poll,
    /// but not all: with Nethereum's 100 ms the default deployment took 112 ms (median) against 53 ms at 2 ms; 1 ms was no
    /// faster than 2 ms (bench/Chain rows "deploy + register (warm)…"; bench/README.md, "Receipt polling and signing").
    /// </summary>
    public static readonly TimeSpan DefaultReceiptPollInterval = TimeSpan.FromMilliseconds(2);

    /// <summary>A JSON-RPC client for <paramref name="rpcUrl"/>; pass <paramref name="http"/> to share a pooled HttpClient.</summary>
    public static IClient CreateRpcClient(string rpcUrl, HttpClient? http = null)
    {
        var uri = ParseUrl(rpcUrl);
        return http is null ? new RpcClient(uri) : new RpcClient(uri, http);
    }

    /// <summary>A Web3 for reads (calls, logs, receipts).</summary>
    public static Web3 ReadOnly(IClient client) => new(client);

    /// <summary>
    /// A Web3 that signs with <paramref name="key"/> for chain <paramref name="chainId"/> (EIP-1559 by default); receipts are
    /// polled every <paramref name="receiptPollInterval"/> (default <see cref="DefaultReceiptPollInterval"/>).
    /// </summary>
    public static Web3 ForAccount(IClient client, EthECKey key, ulong chainId, TimeSpan? receiptPollInterval = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (NethereumDefaults.HasLeadingZeroByte(key, out _))
        {
            throw new ArgumentException(
                $"Nethereum 6.1 cannot sign transactions for {key.GetPublicAddress()}: its private key starts with a zero byte, which " +
                "Nethereum's fast signing path drops (\"b32 should be of length 32\"). Use another account for transactions.", nameof(key));
        }

        var interval = receiptPollInterval ?? DefaultReceiptPollInterval;
        if (interval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(receiptPollInterval), interval, "The receipt polling interval must be positive.");
        }

        var web3 = new Web3(new Account(key, chainId), client);
        web3.TransactionManager.UseLegacyAsDefault = false;
        web3.TransactionManager.TransactionReceiptService =
            new TransactionReceiptPollingService(web3.TransactionManager, (int)Math.Ceiling(interval.TotalMilliseconds));
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

    /// <summary>
    /// Waits for the receipt of <paramref name="transactionHash"/> with the web3's receipt service (Nethereum polls at once, then
    /// every interval); a <see cref="TimeoutException"/> naming the transaction when <paramref name="timeout"/> passes first.
    /// </summary>
    public static async Task<TransactionReceipt> WaitForReceiptAsync(IWeb3 web3, string transactionHash, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(web3);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            return await web3.TransactionManager.TransactionReceiptService.PollForReceiptAsync(transactionHash, deadline.Token).ConfigureAwait(false);
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
