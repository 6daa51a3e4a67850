using System.Security.Cryptography;
using System.Text;

namespace CreAspire.Attestation;

/// <summary>
/// Domain-separated payload hash that attestations bind in user_data (chainlink-common teeattestation.DomainHash v1):
/// SHA-256 of "CONFIDENTIAL_COMPUTE_PAYLOAD" + "\n" + tag + "\n" + data.
/// </summary>
public static class DomainHash
{
    public const string Prefix = "CONFIDENTIAL_COMPUTE_PAYLOAD";

    public static byte[] Compute(string tag, ReadOnlySpan<byte> data)
    {
        ArgumentNullException.ThrowIfNull(tag);
        var head = Encoding.UTF8.GetBytes(Prefix + "\n" + tag + "\n");
        var buffer = new byte[head.Length + data.Length];
        head.CopyTo(buffer, 0);
        data.CopyTo(buffer.AsSpan(head.Length));
        return SHA256.HashData(buffer);
    }
}
