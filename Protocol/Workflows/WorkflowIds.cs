using System.Security.Cryptography;
using System.Text;

namespace CreAspire.Protocol.Workflows;

/// <summary>Workflow and execution ids, computed exactly as chainlink-common pkg/workflows does.</summary>
public static class WorkflowIds
{
    /// <summary>Version byte written into byte 0 of a workflow id.</summary>
    public const byte VersionByte = 0;

    /// <summary>
    /// sha256(owner ‖ name ‖ binary ‖ config ‖ secretsUrl) with byte 0 set to the version byte. <paramref name="binary"/>
    /// is the base64-decoded artifact (still brotli-compressed WASM); v2 passes an empty secrets URL.
    /// </summary>
    public static byte[] Compute(ReadOnlySpan<byte> owner, string name, ReadOnlySpan<byte> binary, ReadOnlySpan<byte> config, string secretsUrl = "")
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(owner);
        sha.AppendData(Encoding.UTF8.GetBytes(name));
        sha.AppendData(binary);
        sha.AppendData(config);
        sha.AppendData(Encoding.UTF8.GetBytes(secretsUrl));
        var id = sha.GetHashAndReset();
        id[0] = VersionByte;
        return id;
    }

    /// <summary>Hex (no 0x) workflow id for an owner given as a 0x address.</summary>
    public static string ComputeHex(string ownerAddress, string name, ReadOnlySpan<byte> binary, ReadOnlySpan<byte> config) =>
        Convert.ToHexStringLower(Compute(Convert.FromHexString(ownerAddress.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? ownerAddress[2..] : ownerAddress), name, binary, config));

    /// <summary>Execution id = hex sha256(workflowId ‖ triggerEventId) (EncodeExecutionID); identical on every honest node.</summary>
    public static string ExecutionId(string workflowIdHex, string triggerEventId)
    {
        var bytes = Encoding.UTF8.GetBytes(workflowIdHex + triggerEventId);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }
}
