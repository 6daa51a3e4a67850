using System.IO.Compression;
using System.Security.Cryptography;

namespace CreAspire.WorkflowNode.Fetcher;

/// <summary>
/// A workflow binary as the original stores it: the served artifact is base64 text of the brotli-compressed WASM.
/// The workflow id covers <see cref="DecodedBinary"/>; the enclave checks <see cref="ArtifactSha256"/>.
/// </summary>
public sealed class WorkflowBinary
{
    private WorkflowBinary(byte[] artifact, byte[] decoded)
    {
        Artifact = artifact;
        DecodedBinary = decoded;
        ArtifactSha256 = SHA256.HashData(artifact);
    }

    /// <summary>The bytes exactly as served (base64 text).</summary>
    public byte[] Artifact { get; }

    /// <summary>Base64-decoded artifact: still brotli-compressed WASM.</summary>
    public byte[] DecodedBinary { get; }

    /// <summary>sha256 of the served bytes: the ConfidentialWorkflowRequest's binary_hash.</summary>
    public byte[] ArtifactSha256 { get; }

    /// <summary>Decodes the base64 text; throws <see cref="ArtifactFetchException"/> naming the URL when it is not base64.</summary>
    public static WorkflowBinary Decode(string binaryUrl, byte[] artifact)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        try
        {
            var text = System.Text.Encoding.ASCII.GetString(artifact).Trim();
            return new WorkflowBinary(artifact, Convert.FromBase64String(text));
        }
        catch (FormatException ex)
        {
            throw new ArtifactFetchException(
                $"workflow binary {binaryUrl} is not base64 text ({ex.Message}); artifacts are served as base64 of the brotli-compressed WASM", ex);
        }
    }

    /// <summary>The raw WASM: the decoded binary, brotli-decompressed, limited to <paramref name="maxBytes"/>.</summary>
    public byte[] DecompressWasm(string binaryUrl, int maxBytes)
    {
        try
        {
            using var input = new BrotliStream(new MemoryStream(DecodedBinary), CompressionMode.Decompress);
            using var output = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = input.Read(chunk)) > 0)
            {
                if (output.Length + read > maxBytes)
                {
                    throw new ArtifactFetchException($"workflow binary {binaryUrl} decompresses to more than {maxBytes} bytes (Fetcher:MaxArtifactBytes)");
                }

                output.Write(chunk, 0, read);
            }

            return output.ToArray();
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException)
        {
            // BrotliStream reports corrupt input as InvalidOperationException ("Decoder ran into invalid data"), truncated as InvalidDataException.
            throw new ArtifactFetchException($"workflow binary {binaryUrl} is not brotli-compressed WASM: {ex.Message}", ex);
        }
    }
}
