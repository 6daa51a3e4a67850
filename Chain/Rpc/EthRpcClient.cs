using System.Net.Http.Json;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Nodes;
using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Rpc;

/// <summary>
/// Ethereum JSON-RPC over HttpClient: the calls CreAspire needs (chain id, nonce, fees, gas, eth_call, raw transactions,
/// receipts, logs, block number). Every call is bounded by <see cref="RequestTimeout"/> besides the caller's token.
/// </summary>
public sealed class EthRpcClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private long _nextId;

    /// <summary>Uses a caller-owned HttpClient (e.g. from IHttpClientFactory).</summary>
    public EthRpcClient(HttpClient http, Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        _http = http;
        Endpoint = endpoint;
    }

    /// <summary>Creates a client with its own HttpClient for an RPC URL such as http://127.0.0.1:8545.</summary>
    public EthRpcClient(string rpcUrl)
        : this(new HttpClient(), ParseUrl(rpcUrl))
    {
        _ownsHttp = true;
    }

    public Uri Endpoint { get; }

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Receipt polling starts at 2 ms and doubles up to this (short by default: Anvil mines at once).</summary>
    public TimeSpan ReceiptPollMaxInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    public async Task<ulong> GetChainIdAsync(CancellationToken cancellationToken) =>
        (ulong)Quantity.Parse(await CallStringAsync("eth_chainId", [], cancellationToken).ConfigureAwait(false));

    public async Task<ulong> GetBlockNumberAsync(CancellationToken cancellationToken) =>
        (ulong)Quantity.Parse(await CallStringAsync("eth_blockNumber", [], cancellationToken).ConfigureAwait(false));

    /// <summary>The next nonce of an account; <paramref name="block"/> "pending" counts transactions not yet mined.</summary>
    public async Task<ulong> GetTransactionCountAsync(string address, CancellationToken cancellationToken, string block = "pending") =>
        (ulong)Quantity.Parse(await CallStringAsync("eth_getTransactionCount", [address, block], cancellationToken).ConfigureAwait(false));

    public async Task<BigInteger> GetBalanceAsync(string address, CancellationToken cancellationToken) =>
        Quantity.Parse(await CallStringAsync("eth_getBalance", [address, "latest"], cancellationToken).ConfigureAwait(false));

    public async Task<byte[]> GetCodeAsync(string address, CancellationToken cancellationToken) =>
        Hex.Decode(await CallStringAsync("eth_getCode", [address, "latest"], cancellationToken).ConfigureAwait(false));

    public async Task<BigInteger> GetGasPriceAsync(CancellationToken cancellationToken) =>
        Quantity.Parse(await CallStringAsync("eth_gasPrice", [], cancellationToken).ConfigureAwait(false));

    /// <summary>maxFee = 2 × latest base fee + priority fee (eth_maxPriorityFeePerGas), the usual wallet rule.</summary>
    public async Task<FeeEstimate> EstimateFeesAsync(CancellationToken cancellationToken)
    {
        var block = await CallAsync("eth_getBlockByNumber", ["latest", false], cancellationToken).ConfigureAwait(false);
        var baseFee = block?["baseFeePerGas"]?.GetValue<string>() is { } b ? Quantity.Parse(b) : BigInteger.Zero;
        var priority = Quantity.Parse(await CallStringAsync("eth_maxPriorityFeePerGas", [], cancellationToken).ConfigureAwait(false));
        return new FeeEstimate(baseFee * 2 + priority, priority);
    }

    public async Task<ulong> EstimateGasAsync(CallRequest request, CancellationToken cancellationToken) =>
        (ulong)Quantity.Parse(await CallStringAsync("eth_estimateGas", [ToJson(request)], cancellationToken).ConfigureAwait(false));

    /// <summary>eth_call at a block ("latest" or a 0x number); a revert throws <see cref="EthRpcException"/> carrying the revert data.</summary>
    public async Task<byte[]> CallAsync(CallRequest request, CancellationToken cancellationToken, string block = "latest") =>
        Hex.Decode(await CallStringAsync("eth_call", [ToJson(request), block], cancellationToken).ConfigureAwait(false));

    /// <summary>Sends a signed transaction; returns its hash.</summary>
    public Task<string> SendRawTransactionAsync(byte[] raw, CancellationToken cancellationToken) =>
        CallStringAsync("eth_sendRawTransaction", [Hex.Encode0x(raw)], cancellationToken);

    /// <summary>The receipt, or null while the transaction is not mined.</summary>
    public async Task<TransactionReceipt?> GetTransactionReceiptAsync(string transactionHash, CancellationToken cancellationToken)
    {
        var result = await CallAsync("eth_getTransactionReceipt", [transactionHash], cancellationToken).ConfigureAwait(false);
        return result is null ? null : ParseReceipt(result);
    }

    /// <summary>Polls for the receipt until it exists or <paramref name="timeout"/> passes (then <see cref="TimeoutException"/>).</summary>
    public async Task<TransactionReceipt> WaitForReceiptAsync(string transactionHash, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var delay = TimeSpan.FromMilliseconds(2);
        try
        {
            while (true)
            {
                if (await GetTransactionReceiptAsync(transactionHash, deadline.Token).ConfigureAwait(false) is { } receipt)
                {
                    return receipt;
                }

                await Task.Delay(delay, deadline.Token).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, ReceiptPollMaxInterval.TotalMilliseconds));
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException(
                $"Transaction {transactionHash} was not mined within {timeout.TotalSeconds:0.#} s at {Endpoint}; check that the chain is mining (anvil automine or --block-time).");
        }
    }

    public async Task<IReadOnlyList<LogEntry>> GetLogsAsync(LogFilter filter, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var result = await CallAsync("eth_getLogs", [filter.ToJson()], cancellationToken).ConfigureAwait(false);
        return result is JsonArray logs ? logs.Select(l => ParseLog(l!)).ToArray() : [];
    }

    /// <summary>Any JSON-RPC method; returns the "result" node (null for JSON null).</summary>
    public async Task<JsonNode?> CallAsync(string method, object?[] parameters, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(RequestTimeout);
        var id = Interlocked.Increment(ref _nextId);
        JsonNode? response;
        try
        {
            using var http = await _http.PostAsJsonAsync(Endpoint, new { jsonrpc = "2.0", id, method, @params = parameters }, timeout.Token).ConfigureAwait(false);
            http.EnsureSuccessStatusCode();
            response = await http.Content.ReadFromJsonAsync<JsonNode>(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"{method} to {Endpoint} did not answer within {RequestTimeout.TotalSeconds:0.#} s; is the chain running?");
        }
        catch (HttpRequestException ex)
        {
            throw new HttpRequestException($"{method} to {Endpoint} failed: {ex.Message}. Is the chain (anvil) running at that URL?", ex, ex.StatusCode);
        }

        if (response?["error"] is JsonObject error)
        {
            throw new EthRpcException(method, error["code"]?.GetValue<int>() ?? 0, error["message"]?.GetValue<string>() ?? "", ParseRevertData(error["data"]));
        }

        return response?["result"];
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private async Task<string> CallStringAsync(string method, object?[] parameters, CancellationToken cancellationToken) =>
        (await CallAsync(method, parameters, cancellationToken).ConfigureAwait(false))?.GetValue<string>()
        ?? throw new EthRpcException(method, 0, "the result is null", null);

    /// <summary>Anvil/geth put revert data in error.data as a hex string (sometimes nested as {data: "0x…"}).</summary>
    private static byte[]? ParseRevertData(JsonNode? data) => data switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) && s.StartsWith("0x", StringComparison.Ordinal) && Hex.IsHexOfLength(s, (s.Length - 2) / 2) => Hex.Decode(s),
        JsonObject o => ParseRevertData(o["data"]),
        _ => null,
    };

    private static Dictionary<string, string> ToJson(CallRequest request)
    {
        var json = new Dictionary<string, string> { ["data"] = Hex.Encode0x(request.Data) };
        if (request.To is not null)
        {
            json["to"] = request.To;
        }

        if (request.From is not null)
        {
            json["from"] = request.From;
        }

        if (request.Value is { } value)
        {
            json["value"] = Quantity.Format(value);
        }

        if (request.Gas is { } gas)
        {
            json["gas"] = Quantity.Format(gas);
        }

        return json;
    }

    private static TransactionReceipt ParseReceipt(JsonNode receipt) => new(
        receipt["transactionHash"]!.GetValue<string>(),
        (ulong)Quantity.Parse(receipt["blockNumber"]!.GetValue<string>()),
        receipt["status"]?.GetValue<string>() == "0x1",
        (ulong)Quantity.Parse(receipt["gasUsed"]!.GetValue<string>()),
        receipt["from"]!.GetValue<string>().ToLowerInvariant(),
        receipt["to"]?.GetValue<string>()?.ToLowerInvariant(),
        receipt["contractAddress"]?.GetValue<string>()?.ToLowerInvariant(),
        receipt["logs"] is JsonArray logs ? logs.Select(l => ParseLog(l!)).ToArray() : []);

    private static LogEntry ParseLog(JsonNode log) => new(
        log["address"]!.GetValue<string>().ToLowerInvariant(),
        log["topics"]!.AsArray().Select(t => Hex.Decode(t!.GetValue<string>())).ToArray(),
        Hex.Decode(log["data"]!.GetValue<string>()),
        (ulong)Quantity.Parse(log["blockNumber"]!.GetValue<string>()),
        log["transactionHash"]!.GetValue<string>(),
        (ulong)Quantity.Parse(log["logIndex"]!.GetValue<string>()));

    private static Uri ParseUrl(string rpcUrl) => Uri.TryCreate(rpcUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
        ? uri
        : throw new ArgumentException($"'{rpcUrl}' is not an http(s) JSON-RPC URL (e.g. http://127.0.0.1:8545).", nameof(rpcUrl));
}
