using System.IO.Compression;
using System.Text;

namespace CreAspire.Execution.Artifacts;

/// <summary>Workflow binaries as the original stores and serves them: base64(brotli(wasm)).</summary>
public static class WorkflowArtifact
{
    /// <summary>Returns the artifact bytes (ASCII base64 text of the brotli-compressed module).</summary>
    public static byte[] Pack(ReadOnlySpan<byte> wasm)
    {
        using var compressed = new MemoryStream();
        using (var brotli = new BrotliStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            brotli.Write(wasm);
        }

        return Encoding.ASCII.GetBytes(Convert.ToBase64String(compressed.GetBuffer(), 0, (int)compressed.Length));
    }

    /// <summary>The brotli-compressed module inside an artifact (what the workflow id hashes as "binary").</summary>
    public static byte[] DecodeBase64(ReadOnlySpan<byte> artifact)
    {
        var text = Encoding.ASCII.GetString(artifact).Trim();
        try
        {
            return Convert.FromBase64String(text);
        }
        catch (FormatException e)
        {
            throw new InvalidDataException($"workflow artifact is not valid base64 ({artifact.Length} bytes): {e.Message}; expected base64(brotli(wasm)) as produced by WorkflowArtifact.Pack", e);
        }
    }

    /// <summary>Returns the raw WASM; throws <see cref="InvalidDataException"/> when the artifact is not base64(brotli(wasm)).</summary>
    public static byte[] Unpack(ReadOnlySpan<byte> artifact)
    {
        var compressed = DecodeBase64(artifact);
        byte[] wasm;
        try
        {
            using var brotli = new BrotliStream(new MemoryStream(compressed), CompressionMode.Decompress);
            using var output = new MemoryStream();
            brotli.CopyTo(output);
            wasm = output.ToArray();
        }
        catch (Exception e) when (e is InvalidDataException or InvalidOperationException)
        {
            throw new InvalidDataException($"workflow artifact is base64 but not brotli-compressed data ({compressed.Length} bytes): {e.Message}", e);
        }

        if (wasm.Length < 8 || wasm[0] != 0 || wasm[1] != (byte)'a' || wasm[2] != (byte)'s' || wasm[3] != (byte)'m')
        {
            throw new InvalidDataException($"workflow artifact decompresses to {wasm.Length} bytes that do not start with the WebAssembly magic '\\0asm'");
        }

        return wasm;
    }
}
