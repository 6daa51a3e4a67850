using System.Text;
using CreAspire.Execution.Artifacts;
using CreAspire.WorkflowNode.Fetcher;

namespace CreAspire.WorkflowNode.Tests;

public sealed class WorkflowBinaryTests
{
    private const string Url = "https://artifacts.local/wf.b64";

    /// <summary>Found by WorkflowArtifactFuzzTests: BrotliStream reports corrupt data as InvalidOperationException, which escaped the fetcher's error.</summary>
    [Fact]
    public void A_corrupt_brotli_stream_is_the_fetchers_error_naming_the_url()
    {
        var compressed = Convert.FromBase64String(Encoding.ASCII.GetString(WorkflowArtifact.Pack([0x00, 0x61, 0x73, 0x6D, 1, 0, 0, 0, .. new byte[100]])));
        compressed[0] ^= 1 << 6;

        var ex = Assert.Throws<ArtifactFetchException>(() => WorkflowBinary.Decode(Url, Encoding.ASCII.GetBytes(Convert.ToBase64String(compressed))).DecompressWasm(Url, 1024));

        Assert.StartsWith($"workflow binary {Url} is not brotli-compressed WASM: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_binary_that_decompresses_beyond_the_limit_is_refused()
    {
        var artifact = WorkflowArtifact.Pack(new byte[10_000]);

        var ex = Assert.Throws<ArtifactFetchException>(() => WorkflowBinary.Decode(Url, artifact).DecompressWasm(Url, 1024));

        Assert.Contains("decompresses to more than 1024 bytes", ex.Message, StringComparison.Ordinal);
    }
}
