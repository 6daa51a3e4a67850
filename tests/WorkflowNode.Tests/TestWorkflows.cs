using System.IO.Compression;
using System.Text;
using CreAspire.Chain.Registries;
using CreAspire.Protocol.Workflows;

namespace CreAspire.WorkflowNode.Tests;

/// <summary>Workflow artifacts written the way the original stores them (base64 of brotli-compressed WASM) plus their registry entry.</summary>
public sealed record TestWorkflow(WorkflowMetadata Metadata, byte[] Wasm, byte[] BinaryArtifact, byte[] Config)
{
    public const string Owner = "0x1111111111111111111111111111111111111111";

    public string WorkflowId => Convert.ToHexStringLower(Metadata.WorkflowId);

    /// <summary>Writes binary (and config) into <paramref name="basePath"/> and returns the workflow; ids are computed like cre-cli does.</summary>
    public static TestWorkflow Write(
        string basePath,
        string name,
        string attributes = "",
        string tag = "v1",
        string? binaryUrl = null,
        WorkflowStatus status = WorkflowStatus.Active,
        string donFamily = "zone-a",
        string wasmText = "")
    {
        var wasm = Encoding.UTF8.GetBytes("\0asm\u0001\0\0\0" + name + tag + wasmText);
        var compressed = Brotli(wasm);
        var artifact = Encoding.ASCII.GetBytes(Convert.ToBase64String(compressed));
        var config = Encoding.UTF8.GetBytes($"schedule: \"*/30 * * * * *\" # {name} {tag}");
        var binaryFile = $"{name}-{tag}-{Guid.NewGuid():N}.br.b64";
        var configFile = $"{name}-{tag}-{Guid.NewGuid():N}.yaml";
        File.WriteAllBytes(Path.Combine(basePath, binaryFile), artifact);
        File.WriteAllBytes(Path.Combine(basePath, configFile), config);
        var id = WorkflowIds.Compute(Convert.FromHexString(Owner[2..]), name, compressed, config);
        var metadata = new WorkflowMetadata(
            id, Owner, 1, status, name, binaryUrl ?? $"https://artifacts.example/workflows/{binaryFile}?X-Amz-Signature=abc",
            configFile, tag, Encoding.UTF8.GetBytes(attributes), donFamily);
        return new TestWorkflow(metadata, wasm, artifact, config);
    }

    public static byte[] Brotli(byte[] data)
    {
        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            brotli.Write(data);
        }

        return output.ToArray();
    }
}
