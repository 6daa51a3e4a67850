using System.Collections;
using System.Globalization;
using Nethereum.ABI.FunctionEncoding;
using Nethereum.ABI.Model;
using Nethereum.Contracts;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Web3;

namespace CreAspire.Chain.Contracts;

/// <summary>
/// Turns Nethereum's revert exceptions into <see cref="ContractRevertException"/>: the custom error is matched against the
/// contract's generated error DTOs (<c>XService.ErrorTypes</c>) and decoded with its arguments. Calls and gas estimation
/// revert with the data at once; a transaction that was mined with status 0 is replayed with
/// <c>Eth.GetContractTransactionErrorReason</c> to learn why.
/// </summary>
public static class ContractErrors
{
    /// <summary>Runs a call or send of <paramref name="operation"/>, translating a revert into <see cref="ContractRevertException"/>.</summary>
    public static async Task<T> RunAsync<T>(string operation, IReadOnlyList<Type> errorTypes, Func<Task<T>> call)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(operation, errorTypes, ex) is { } revert)
        {
            throw revert;
        }
    }

    /// <summary>A <see cref="ContractRevertException"/> for a Nethereum revert exception, or null when <paramref name="exception"/> is not a revert.</summary>
    public static ContractRevertException? Translate(string operation, IReadOnlyList<Type> errorTypes, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(errorTypes);
        switch (exception)
        {
            case SmartContractCustomErrorRevertException custom:
                var data = custom.ExceptionEncodedData ?? "0x";
                foreach (var type in errorTypes)
                {
                    var abi = ABITypedRegistry.GetError(type);
                    if (custom.IsCustomErrorFor(abi))
                    {
                        var arguments = custom.DecodeErrorToDefault(abi)
                            .Select(p => new ContractErrorArgument(p.Parameter.Name ?? "", p.Parameter.Type, p.Result))
                            .ToArray();
                        return new ContractRevertException(operation, abi.Name, arguments, data, custom);
                    }
                }

                return new ContractRevertException(operation, null, [], data, custom);
            case SmartContractRevertException reason:
                return new ContractRevertException(operation, "Error", [new ContractErrorArgument("reason", "string", reason.RevertMessage)],
                    reason.EncodedData ?? "0x", reason);
            case RpcResponseException rpc when rpc.RpcError?.Message?.Contains("revert", StringComparison.OrdinalIgnoreCase) == true:
                return new ContractRevertException(operation, null, [], rpc.RpcError.GetDataAsString() ?? "0x", rpc);
            default:
                return null;
        }
    }

    /// <summary>
    /// Checks a mined receipt: status 1 returns it; status 0 replays the transaction to decode the contract error and throws
    /// <see cref="ContractRevertException"/> (or <see cref="TransactionFailedException"/> when the replay does not revert).
    /// </summary>
    public static async Task<TransactionReceipt> EnsureSucceededAsync(IWeb3 web3, TransactionReceipt receipt, string operation, IReadOnlyList<Type> errorTypes)
    {
        ArgumentNullException.ThrowIfNull(web3);
        ArgumentNullException.ThrowIfNull(receipt);
        if (receipt.Succeeded())
        {
            return receipt;
        }

        string reason;
        try
        {
            reason = await web3.Eth.GetContractTransactionErrorReason.SendRequestAsync(receipt.TransactionHash).ConfigureAwait(false);
        }
        catch (Exception ex) when (Translate(operation, errorTypes, ex) is { } revert)
        {
            throw revert;
        }

        if (!string.IsNullOrEmpty(reason))
        {
            throw new ContractRevertException(operation, "Error", [new ContractErrorArgument("reason", "string", reason)], "0x");
        }

        throw new TransactionFailedException(
            $"{operation} (transaction {receipt.TransactionHash}, block {receipt.BlockNumber.Value}) failed with status 0 after using {receipt.GasUsed.Value} gas; " +
            "replaying it did not revert, so it most likely ran out of gas or depended on a transaction mined in the same block.");
    }

    /// <summary>How an error argument reads in a message: bytes as 0x hex, strings quoted, lists bracketed.</summary>
    public static string FormatValue(object? value) => value switch
    {
        null => "null",
        byte[] bytes => bytes.ToHex(true),
        string s => s.StartsWith("0x", StringComparison.Ordinal) ? s : $"\"{s}\"",
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        IEnumerable list => "[" + string.Join(", ", list.Cast<object?>().Select(FormatValue)) + "]",
        _ => value.ToString() ?? "",
    };
}
