using CreAspire.Chain.Abi;
using CreAspire.Chain.Rpc;

namespace CreAspire.Chain.Contracts;

/// <summary>Base of the typed bindings: eth_call and transactions through the contract's ABI, with decoded reverts and events.</summary>
public abstract class ContractBinding
{
    protected ContractBinding(EthRpcClient rpc, string address, ContractArtifact artifact)
    {
        ArgumentNullException.ThrowIfNull(rpc);
        ArgumentNullException.ThrowIfNull(artifact);
        if (!Crypto.Hex.IsHexOfLength(address, 20))
        {
            throw new ArgumentException($"'{address}' is not a 20-byte 0x contract address.", nameof(address));
        }

        Rpc = rpc;
        Address = address.ToLowerInvariant();
        Artifact = artifact;
    }

    public EthRpcClient Rpc { get; }

    /// <summary>Lower-case 0x address of the contract.</summary>
    public string Address { get; }

    public ContractArtifact Artifact { get; }

    public ContractAbi Abi => Artifact.Abi;

    /// <summary>Decodes the logs of this contract in a receipt (unknown events are skipped).</summary>
    public IReadOnlyList<DecodedCall> DecodeEvents(TransactionReceipt receipt)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        return DecodeLogs(receipt.Logs);
    }

    public IReadOnlyList<DecodedCall> DecodeLogs(IEnumerable<LogEntry> logs) =>
        logs.Where(l => l.Address == Address)
            .Select(l => Abi.FindEvent(l.Topics)?.Decode(l.Topics, l.Data))
            .OfType<DecodedCall>()
            .ToArray();

    /// <summary>This contract's events from <paramref name="fromBlock"/> to the latest block, via eth_getLogs.</summary>
    public async Task<IReadOnlyList<DecodedCall>> GetEventsAsync(ulong fromBlock, CancellationToken cancellationToken) =>
        DecodeLogs(await Rpc.GetLogsAsync(new LogFilter([Address], null, fromBlock), cancellationToken).ConfigureAwait(false));

    /// <summary>A transaction request for <paramref name="function"/> (for <see cref="EvmSigner.SubmitAsync"/> pipelines).</summary>
    public TransactionRequest Request(string function, ulong? gasLimit, params AbiValue[] arguments) =>
        new(Address, Abi.Function(function).EncodeCall(arguments), gasLimit) { Abi = Abi, Operation = Operation(function) };

    protected async Task<IReadOnlyList<AbiValue>> CallAsync(string function, CancellationToken cancellationToken, params AbiValue[] arguments)
    {
        var abiFunction = Abi.Function(function);
        byte[] output;
        try
        {
            output = await Rpc.CallAsync(new CallRequest(Address, abiFunction.EncodeCall(arguments)), cancellationToken).ConfigureAwait(false);
        }
        catch (EthRpcException ex) when (RevertDecoding.IsRevert(ex))
        {
            throw RevertDecoding.ToRevert(ex, Abi, Operation(function));
        }

        if (output.Length == 0 && abiFunction.Outputs.Count > 0)
        {
            throw new InvalidOperationException(
                $"{Operation(function)} returned no data: is {Address} really a {Artifact.Name} on the chain at {Rpc.Endpoint} (check the configured address)?");
        }

        return abiFunction.DecodeOutput(output);
    }

    protected Task<TransactionReceipt> SendAsync(EvmSigner signer, string function, CancellationToken cancellationToken, params AbiValue[] arguments)
    {
        ArgumentNullException.ThrowIfNull(signer);
        return signer.SendAsync(Request(function, null, arguments), cancellationToken);
    }

    private string Operation(string function) => $"{Artifact.Name}.{function}";
}
