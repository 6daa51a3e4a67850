using System.Text;
using CreAspire.Execution.Artifacts;
using CreAspire.Fuzzing;
using CreAspire.WorkflowNode.Fetcher;
using Xunit.Abstractions;

namespace CreAspire.WorkflowNode.Tests;

/// <summary>
/// What a workflow node reads from the registry's URLs: the file fetcher's URL resolution (URLs are chain input) and
/// the served artifact, base64(brotli(wasm)), decoded and decompressed. Every input ends in the file, or in an
/// <see cref="ArtifactFetchException"/> with a message; the fetcher keeps serving valid URLs afterwards.
/// </summary>
public sealed class WorkflowArtifactFuzzTests : IDisposable
{
    private static readonly string[] UrlPieces =
    [
        "wf.b64", "sub", "..", ".", "/", "//", "\\", "%2e%2e", "%2f", "%5c", "%00", "%", "%zz", "?", "#", "file://", "http://", "https://", "ftp://",
        "artifacts.local", "loop-a.b64", "self.b64", "loopdir", "linkdir", "escape.b64", "inner-link.b64", "~", "\u00e9", "\ud83d\ude00", " ", "\t",
        new string('a', 300), "CON", "nul", ":", "@", "[::1]", "*", "{base}", "{outside}",
    ];

    private readonly ITestOutputHelper _output;
    private readonly string _root = Directory.CreateTempSubdirectory("creaspire-fetcher-fuzz-").FullName;
    private readonly string _base;
    private readonly string _outside;

    public WorkflowArtifactFuzzTests(ITestOutputHelper output)
    {
        _output = output;
        _base = Path.Combine(_root, "artifacts");
        _outside = Path.Combine(_root, "outside");
        Directory.CreateDirectory(Path.Combine(_base, "sub"));
        Directory.CreateDirectory(_outside);
        File.WriteAllText(Path.Combine(_base, "wf.b64"), "inside");
        File.WriteAllText(Path.Combine(_base, "sub", "wf.b64"), "inside-sub");
        File.WriteAllText(Path.Combine(_outside, "secret"), "outside");
        File.CreateSymbolicLink(Path.Combine(_base, "escape.b64"), Path.Combine(_outside, "secret"));
        Directory.CreateSymbolicLink(Path.Combine(_base, "linkdir"), _outside);
        File.CreateSymbolicLink(Path.Combine(_base, "inner-link.b64"), Path.Combine(_base, "wf.b64"));
        File.CreateSymbolicLink(Path.Combine(_base, "loop-a.b64"), Path.Combine(_base, "loop-b.b64"));
        File.CreateSymbolicLink(Path.Combine(_base, "loop-b.b64"), Path.Combine(_base, "loop-a.b64"));
        File.CreateSymbolicLink(Path.Combine(_base, "self.b64"), Path.Combine(_base, "self.b64"));
        Directory.CreateSymbolicLink(Path.Combine(_base, "loopdir"), Path.Combine(_base, "loopdir"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Random_URLs_resolve_inside_the_base_path_or_are_refused_and_never_read_outside_it()
    {
        var fetcher = new FileArtifactFetcher(_base, 1024);
        var random = new Random(1822);
        var urls = Enumerable.Range(0, 4000).Select(i =>
        {
            var url = string.Concat(Enumerable.Range(0, random.Next(1, 8)).Select(_ => UrlPieces[random.Next(UrlPieces.Length)]))
                .Replace("{base}", _base, StringComparison.Ordinal).Replace("{outside}", _outside, StringComparison.Ordinal);
            return new Mutant($"url {i} (seed 1822) '{url}'", Encoding.UTF8.GetBytes(url));
        });

        var tally = await FuzzTally.RunAsync("workflow node: file fetcher URLs", urls, input => FuzzResult.OfAsync<ArtifactFetchException, byte[]>(
            () => fetcher.FetchAsync(Encoding.UTF8.GetString(input.Bytes), CancellationToken.None),
            ex => Kind(ex.Message),
            content => Encoding.UTF8.GetString(content) == "outside" ? FuzzResult.Wrong("read the file outside the base path") : FuzzResult.Accepted),
            concurrency: Environment.ProcessorCount);

        tally.Report(_output).AssertClean();
        Assert.Equal("inside", Encoding.UTF8.GetString(await fetcher.FetchAsync("https://artifacts.local/wf.b64", CancellationToken.None)));
    }

    [Fact]
    public void Mutated_artifacts_decode_to_WASM_bytes_or_are_refused_with_the_fetchers_error()
    {
        var wasm = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "workflows", "hello-cron.wasm"));
        var artifact = WorkflowArtifact.Pack(wasm);
        var compressed = Convert.FromBase64String(Encoding.ASCII.GetString(artifact));
        var inputs = Mutations.BitFlips(compressed).Where((_, i) => i % 3 == 0).Select(m => m with { Bytes = Encoding.ASCII.GetBytes(Convert.ToBase64String(m.Bytes)) })
            .Concat(Mutations.Truncations(artifact).Where((_, i) => i % 5 == 0))
            .Concat(Mutations.Random(artifact, 1500, seed: 1823))
            .Concat(Mutations.Noise(500, 400, seed: 1824))
            .Append(new Mutant("brotli bomb: 64 MiB of zeros", Encoding.ASCII.GetBytes(Convert.ToBase64String(Compress(new byte[64 * 1024 * 1024])))));

        var tally = FuzzTally.Run("workflow node: artifacts (base64, brotli)", inputs, input => FuzzResult.Of<ArtifactFetchException>(() =>
        {
            var decoded = WorkflowBinary.Decode("https://artifacts.local/wf.b64", input.Bytes).DecompressWasm("https://artifacts.local/wf.b64", 4 * 1024 * 1024);
            GC.KeepAlive(decoded);
        }, ex => Kind(ex.Message)), parallel: true);

        tally.Report(_output).AssertClean();
        Assert.Equal(wasm, WorkflowBinary.Decode("u", artifact).DecompressWasm("u", 4 * 1024 * 1024));
    }

    private static byte[] Compress(byte[] data)
    {
        using var output = new MemoryStream();
        using (var brotli = new System.IO.Compression.BrotliStream(output, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            brotli.Write(data);
        }

        return output.ToArray();
    }

    private static string Kind(string message) =>
        message.Contains("not within the basePath", StringComparison.Ordinal) ? "outside base path"
        : message.Contains("symbolic link", StringComparison.Ordinal) ? "link loop"
        : message.Contains("not found", StringComparison.Ordinal) ? "not found"
        : message.Contains("scheme", StringComparison.Ordinal) ? "scheme"
        : message.Contains("no filename", StringComparison.Ordinal) || message.Contains("no path", StringComparison.Ordinal) ? "no file name"
        : message.Contains("not base64", StringComparison.Ordinal) ? "not base64"
        : message.Contains("brotli", StringComparison.Ordinal) ? "not brotli"
        : message.Contains("decompresses to more than", StringComparison.Ordinal) ? "too large"
        : "other";
}
