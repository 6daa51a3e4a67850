using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;
using CreAspire.Chain.Identity;
using Nethereum.Signer;

namespace CreAspire.Protocol.Enclave;

/// <summary>
/// A workflow node's signed request to the enclave (<c>POST /requests</c>), after the original's framework
/// ComputeRequest: <see cref="PublicData"/> is base64 of the exact ConfidentialWorkflowRequest bytes, the application
/// request id is the execution id. Honest nodes build identical bytes, so they sign the same <see cref="ComputeRequestSigning.Hash"/>.
/// </summary>
public sealed record SignedComputeRequest
{
    [JsonPropertyName("app_id"), JsonPropertyOrder(0)]
    public string AppId { get; init; } = "";

    [JsonPropertyName("application_request_id"), JsonPropertyOrder(1)]
    public string ApplicationRequestId { get; init; } = "";

    /// <summary>base64(proto ConfidentialWorkflowRequest).</summary>
    [JsonPropertyName("public_data"), JsonPropertyOrder(2)]
    public string PublicData { get; init; } = "";

    /// <summary>Lower-case 0x address the node claims; the enclave recovers the signer and requires equality.</summary>
    [JsonPropertyName("signer"), JsonPropertyOrder(3)]
    public string Signer { get; init; } = "";

    /// <summary>0x hex 65-byte EIP-191 signature over <see cref="ComputeRequestSigning.Hash"/>.</summary>
    [JsonPropertyName("signature"), JsonPropertyOrder(4)]
    public string Signature { get; init; } = "";
}

/// <summary>The enclave's answer to a compute request: base64(proto ConfidentialWorkflowResponse).</summary>
public sealed record ComputeResponse(
    [property: JsonPropertyName("response")] string Response);

/// <summary>Hashing, signing and signer recovery of <see cref="SignedComputeRequest"/>.</summary>
public static class ComputeRequestSigning
{
    /// <summary>Domain tag of the request hash: a compute-request signature can never be replayed as anything else.</summary>
    public const string Domain = "CREASPIRE_COMPUTE_REQUEST_V1";

    /// <summary>
    /// sha256(Domain ‖ u32be len ‖ app id ‖ u32be len ‖ application request id ‖ u32be len ‖ public data): length
    /// prefixes keep field boundaries unambiguous. This is also the key the enclave groups identical requests by.
    /// </summary>
    public static byte[] Hash(string appId, string applicationRequestId, ReadOnlySpan<byte> publicData)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(Encoding.ASCII.GetBytes(Domain));
        AppendPrefixed(sha, Encoding.UTF8.GetBytes(appId));
        AppendPrefixed(sha, Encoding.UTF8.GetBytes(applicationRequestId));
        AppendPrefixed(sha, publicData);
        return sha.GetHashAndReset();
    }

    /// <summary>Signs the request with the node key (EIP-191 personal message over the 32-byte hash).</summary>
    public static SignedComputeRequest Sign(EthECKey nodeKey, string appId, string applicationRequestId, byte[] publicData)
    {
        ArgumentNullException.ThrowIfNull(nodeKey);
        var hash = Hash(appId, applicationRequestId, publicData);
        return new SignedComputeRequest
        {
            AppId = appId,
            ApplicationRequestId = applicationRequestId,
            PublicData = Convert.ToBase64String(publicData),
            Signer = nodeKey.GetPublicAddress().ToLowerInvariant(),
            Signature = "0x" + Convert.ToHexStringLower(PersonalMessages.Sign(nodeKey, hash)),
        };
    }

    /// <summary>The lower-case 0x address that signed <paramref name="hash"/>; null when the signature is malformed or invalid.</summary>
    public static string? RecoverSigner(ReadOnlySpan<byte> hash, string signatureHex)
    {
        byte[] signature;
        try
        {
            ArgumentNullException.ThrowIfNull(signatureHex);
            signature = Convert.FromHexString(signatureHex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? signatureHex[2..] : signatureHex);
        }
        catch (FormatException)
        {
            return null;
        }

        return PersonalMessages.RecoverSigner(hash, signature);
    }

    private static void AppendPrefixed(IncrementalHash sha, ReadOnlySpan<byte> data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)data.Length);
        sha.AppendData(length);
        sha.AppendData(data);
    }
}
