using CreAspire.Chain.Abi;
using CreAspire.Chain.Rpc;

namespace CreAspire.Chain.Contracts;

/// <summary>Turns a node's "execution reverted" error into a <see cref="ContractRevertException"/> naming the custom error.</summary>
internal static class RevertDecoding
{
    /// <summary>EIP-1474 code 3 is "execution reverted"; some nodes use -32000 with revert data.</summary>
    public static bool IsRevert(EthRpcException ex) =>
        ex.RevertData is not null || ex.Code == 3 || ex.RpcMessage.Contains("revert", StringComparison.OrdinalIgnoreCase);

    public static ContractRevertException ToRevert(EthRpcException ex, ContractAbi? abi, string operation)
    {
        var data = ex.RevertData ?? [];
        var decoded = (abi ?? EmptyAbi).DecodeRevert(data);
        return new ContractRevertException(operation, decoded, data, ex);
    }

    private static readonly ContractAbi EmptyAbi = new([], [], []);
}
