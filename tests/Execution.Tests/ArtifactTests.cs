using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using CreAspire.Execution.Artifacts;
using CreAspire.NativeTools;

namespace CreAspire.Execution.Tests;

public sealed class ArtifactTests
{
    [Fact]
    public void Pack_then_unpack_returns_the_wasm_and_is_base64_of_brotli()
    {
        var wasm = HostFixture.Workflow("hello-cron");

        var artifact = WorkflowArtifact.Pack(wasm);

        Assert.Equal(wasm, WorkflowArtifact.Unpack(artifact));
        Assert.Equal(artifact, WorkflowArtifact.Pack(wasm));
        Assert.True(WorkflowArtifact.DecodeBase64(artifact).Length < wasm.Length);
    }

    [Fact]
    public void Unpack_rejects_text_that_is_not_base64()
    {
        var error = Assert.Throws<InvalidDataException>(() => WorkflowArtifact.Unpack("not base64!!"u8));

        Assert.Contains("not valid base64", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unpack_rejects_base64_that_is_not_brotli()
    {
        var error = Assert.Throws<InvalidDataException>(() =>
            WorkflowArtifact.Unpack(Encoding.ASCII.GetBytes(Convert.ToBase64String(Encoding.ASCII.GetBytes("plain text, not brotli at all")))));

        Assert.Contains("not brotli-compressed data", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unpack_rejects_brotli_that_is_not_webassembly()
    {
        var error = Assert.Throws<InvalidDataException>(() => WorkflowArtifact.Unpack(WorkflowArtifact.Pack("hello world"u8)));

        Assert.Contains("do not start with the WebAssembly magic", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hello-cron")]
    [InlineData("confidential-mock")]
    public async Task Compiling_a_sample_again_gives_the_same_bytes_as_the_build(string workflow)
    {
        var output = Path.Combine(Path.GetTempPath(), $"creaspire-asc-{Guid.NewGuid():N}.wasm");
        var workflows = Path.Combine(NativeToolPaths.RepositoryRoot, "workflows");
        try
        {
            var start = new ProcessStartInfo("node")
            {
                WorkingDirectory = workflows,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            foreach (var arg in new[] { NativeToolPaths.Asc, $"{workflow}/main.ts", "-o", output, "--runtime", "stub", "-O3", "--exportStart", "_start", "--noColors" })
            {
                start.ArgumentList.Add(arg);
            }

            using var asc = Process.Start(start)!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var stderr = asc.StandardError.ReadToEndAsync(timeout.Token);
            await asc.WaitForExitAsync(timeout.Token);
            Assert.True(asc.ExitCode == 0, $"asc failed: {await stderr}");

            Assert.Equal(SHA256.HashData(HostFixture.Workflow(workflow)), SHA256.HashData(await File.ReadAllBytesAsync(output)));
        }
        finally
        {
            File.Delete(output);
        }
    }
}
