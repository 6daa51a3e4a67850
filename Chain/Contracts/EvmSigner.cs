using CreAspire.Chain.Crypto;
using CreAspire.Chain.Rpc;
using CreAspire.Chain.Transactions;

namespace CreAspire.Chain.Contracts;

/// <summary>
/// Signs EIP-1559 transactions with one key and sends them with consecutive nonces. <see cref="SubmitAsync"/> returns
/// as soon as the node accepted the transaction, so callers can pipeline many and await the receipts afterwards;
/// <see cref="SendAsync"/> also waits for the receipt and throws on failure with the decoded revert reason.
/// </summary>
public sealed class EvmSigner
{
    private static readonly TimeSpan FeeLifetime = TimeSpan.FromSeconds(5);

    private readonly EthKey _key;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private ulong? _nextNonce;
    private FeeEstimate? _fees;
    private DateTimeOffset _feesAt;

    public EvmSigner(EthRpcClient rpc, EthKey key, ulong chainId)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(key);
        Rpc = rpc;
        _key = key;
        ChainId = chainId;
    }

    /// <summary>Reads the chain id from the node and creates the signer.</summary>
    public static async Task<EvmSigner> ConnectAsync(EthRpcClient rpc, EthKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        return new EvmSigner(rpc, key, await rpc.GetChainIdAsync(cancellationToken).ConfigureAwait(false));
    }

    public EthRpcClient Rpc { get; }

    /// <summary>Lower-case 0x address of the key.</summary>
    public string Address => _key.Address;

    public ulong ChainId { get; }

    public TimeSpan ReceiptTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeProvider Clock { get; init; } = TimeProvider.System;

    /// <summary>Signs with the next nonce and sends; calls are serialised so submission order is nonce order.</summary>
    public async Task<PendingTransaction> SubmitAsync(TransactionRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var gasLimit = request.GasLimit ?? await EstimateGasAsync(request, cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            try
            {
                return await SignAndSendAsync(request, gasLimit, cancellationToken).ConfigureAwait(false);
            }
            catch (EthRpcException ex) when (IsStaleNonce(ex))
            {
                // Another signer for the same account (another process, test or tool) used our cached nonce: re-read it once.
                _nextNonce = null;
                return await SignAndSendAsync(request, gasLimit, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Waits for the receipt of a submitted transaction; a failed one throws (revert decoded by replaying it).</summary>
    public async Task<TransactionReceipt> WaitAsync(PendingTransaction pending, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pending);
        var receipt = await Rpc.WaitForReceiptAsync(pending.Hash, ReceiptTimeout, cancellationToken).ConfigureAwait(false);
        if (receipt.Succeeded)
        {
            return receipt;
        }

        // Receipts carry no revert data: replay the call on the parent block's state to learn the reason.
        var request = pending.Request;
        try
        {
            await Rpc.CallAsync(new CallRequest(request.To, request.Data, Address, request.Value, pending.GasLimit), cancellationToken,
                "0x" + (receipt.BlockNumber - 1).ToString("x", System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false);
        }
        catch (EthRpcException ex) when (RevertDecoding.IsRevert(ex))
        {
            throw RevertDecoding.ToRevert(ex, request.Abi, request.Operation);
        }

        throw new TransactionFailedException(
            $"{request.Operation} (transaction {pending.Hash}, block {receipt.BlockNumber}) failed with status 0 after using {receipt.GasUsed} of {pending.GasLimit} gas; " +
            "replaying it did not revert, so it most likely ran out of gas or depended on a transaction mined in the same block.");
    }

    /// <summary>Submits, waits for the receipt and checks its status.</summary>
    public async Task<TransactionReceipt> SendAsync(TransactionRequest request, CancellationToken cancellationToken) =>
        await WaitAsync(await SubmitAsync(request, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async Task<PendingTransaction> SignAndSendAsync(TransactionRequest request, ulong gasLimit, CancellationToken cancellationToken)
    {
        var nonce = _nextNonce ?? await Rpc.GetTransactionCountAsync(Address, cancellationToken).ConfigureAwait(false);
        var fees = await FeesAsync(cancellationToken).ConfigureAwait(false);
        var signed = new Eip1559Transaction(ChainId, nonce, fees.MaxPriorityFeePerGas, fees.MaxFeePerGas, gasLimit, request.To, request.Value, request.Data)
            .Sign(_key);
        try
        {
            await Rpc.SendRawTransactionAsync(signed.Raw, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EthRpcException or HttpRequestException or TimeoutException or OperationCanceledException)
        {
            _nextNonce = null; // re-read from the node next time: we do not know whether it was accepted
            if (ex is EthRpcException rpcError && !IsStaleNonce(rpcError) && RevertDecoding.IsRevert(rpcError))
            {
                throw RevertDecoding.ToRevert(rpcError, request.Abi, request.Operation);
            }

            throw;
        }

        _nextNonce = nonce + 1;
        return new PendingTransaction(signed.Hash, nonce, gasLimit, request);
    }

    private static bool IsStaleNonce(EthRpcException ex) =>
        ex.RpcMessage.Contains("nonce too low", StringComparison.OrdinalIgnoreCase)
        || ex.RpcMessage.Contains("replacement transaction underpriced", StringComparison.OrdinalIgnoreCase);

    private async Task<ulong> EstimateGasAsync(TransactionRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var estimate = await Rpc.EstimateGasAsync(new CallRequest(request.To, request.Data, Address, request.Value), cancellationToken).ConfigureAwait(false);
            return estimate + estimate / 4 + 10_000; // headroom: state can change between estimate and inclusion
        }
        catch (EthRpcException ex) when (RevertDecoding.IsRevert(ex))
        {
            throw RevertDecoding.ToRevert(ex, request.Abi, request.Operation);
        }
    }

    private async Task<FeeEstimate> FeesAsync(CancellationToken cancellationToken)
    {
        var now = Clock.GetUtcNow();
        if (_fees is null || now - _feesAt > FeeLifetime)
        {
            _fees = await Rpc.EstimateFeesAsync(cancellationToken).ConfigureAwait(false);
            _feesAt = now;
        }

        return _fees;
    }
}
