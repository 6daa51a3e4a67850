using CreAspire.WorkflowNode.Fetcher;

namespace CreAspire.WorkflowNode.Tests;

/// <summary>
/// The file fetcher's URL rules as a table: relative/absolute paths stay inside the base path, http(s) URLs are reduced
/// to their file name, and every way out (.., encoded traversal, query tricks, symlinks) is refused.
/// </summary>
public sealed class FileArtifactFetcherTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("creaspire-fetcher-").FullName;
    private readonly string _base;
    private readonly string _outside;

    public FileArtifactFetcherTests()
    {
        _base = Path.Combine(_root, "artifacts");
        _outside = Path.Combine(_root, "outside");
        Directory.CreateDirectory(Path.Combine(_base, "sub"));
        Directory.CreateDirectory(_outside);
        File.WriteAllText(Path.Combine(_base, "wf.b64"), "inside");
        File.WriteAllText(Path.Combine(_base, "sub", "wf2.b64"), "inside-sub");
        File.WriteAllText(Path.Combine(_outside, "secret"), "outside");
        File.CreateSymbolicLink(Path.Combine(_base, "escape.b64"), Path.Combine(_outside, "secret"));
        Directory.CreateSymbolicLink(Path.Combine(_base, "linkdir"), _outside);
        File.CreateSymbolicLink(Path.Combine(_base, "inner-link.b64"), Path.Combine(_base, "wf.b64"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    public static TheoryData<string, string> Accepted => new()
    {
        { "wf.b64", "inside" },
        { "sub/wf2.b64", "inside-sub" },
        { "{base}/wf.b64", "inside" },
        { "{base}/sub/../wf.b64", "inside" },
        { "file://{base}/wf.b64", "inside" },
        { "wf.b64?../../outside/secret", "inside" },
        { "http://artifacts.local/wf.b64", "inside" },
        { "https://artifacts.local/any/dir/wf.b64", "inside" },
        { "https://artifacts.local/wf.b64?X-Amz-Signature=abc&path=../../outside/secret", "inside" },
        { "http://artifacts.local/wf.b64#../../outside/secret", "inside" },
        { "https://artifacts.local/a/../wf.b64", "inside" },
        { "inner-link.b64", "inside" },
    };

    public static TheoryData<string> OutsideBasePath => new()
    {
        "../outside/secret",
        "sub/../../outside/secret",
        "{outside}/secret",
        "{base}/../outside/secret",
        "%2e%2e/outside/secret",
        "..%2foutside%2fsecret",
        "%2E%2E%2Foutside%2Fsecret",
        "../outside/secret?wf.b64",
        "file://{outside}/secret",
        "https://artifacts.local/..%2f..%2foutside%2fsecret",
        "https://artifacts.local/..%5csecret",
        "escape.b64",
        "linkdir/secret",
        "https://artifacts.local/escape.b64",
        "{base}/linkdir/secret",
    };

    public static TheoryData<string> NoFileName => new()
    {
        "https://artifacts.local/",
        "http://artifacts.local",
        "https://artifacts.local/?file=wf.b64",
        "https://artifacts.local/dir/?name=wf.b64",
        "http://artifacts.local/wf.b64/",
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public async Task Fetcher_reads_urls_that_resolve_inside_the_base_path(string url, string expected)
    {
        var fetcher = new FileArtifactFetcher(_base, 1024);

        Assert.Equal(expected, System.Text.Encoding.UTF8.GetString(await fetcher.FetchAsync(Expand(url), CancellationToken.None)));
    }

    [Fact]
    public async Task Fetcher_keeps_only_the_file_name_of_an_http_url()
    {
        var fetcher = new FileArtifactFetcher(_base, 1024);

        // sub/wf2.b64 exists, but an http(s) URL is reduced to "wf2.b64" directly under the base path.
        var missing = await Assert.ThrowsAsync<ArtifactFetchException>(() => fetcher.FetchAsync("https://artifacts.local/sub/wf2.b64", CancellationToken.None));

        Assert.Equal($"artifact https://artifacts.local/sub/wf2.b64 not found: no file at {Path.Combine(_base, "wf2.b64")} (basePath {_base})", missing.Message);
    }

    [Theory]
    [MemberData(nameof(OutsideBasePath))]
    public async Task Fetcher_rejects_urls_outside_the_base_path(string url)
    {
        var fetcher = new FileArtifactFetcher(_base, 1024);
        var resolved = Expand(url);

        var error = await Assert.ThrowsAsync<ArtifactFetchException>(() => fetcher.FetchAsync(resolved, CancellationToken.None));

        Assert.Equal($"request URL {resolved} is not within the basePath {_base}", error.Message);
    }

    [Theory]
    [MemberData(nameof(NoFileName))]
    public async Task Fetcher_rejects_http_urls_without_a_file_name(string url)
    {
        var fetcher = new FileArtifactFetcher(_base, 1024);

        var error = await Assert.ThrowsAsync<ArtifactFetchException>(() => fetcher.FetchAsync(url, CancellationToken.None));

        Assert.Equal($"HTTP URL has no filename in path: {url} (basePath {_base})", error.Message);
    }

    [Fact]
    public async Task Fetcher_rejects_other_schemes_and_oversized_artifacts()
    {
        var fetcher = new FileArtifactFetcher(_base, 3);

        var scheme = await Assert.ThrowsAsync<ArtifactFetchException>(() => fetcher.FetchAsync("ftp://artifacts.local/wf.b64", CancellationToken.None));
        var size = await Assert.ThrowsAsync<ArtifactFetchException>(() => fetcher.FetchAsync("wf.b64", CancellationToken.None));

        Assert.Contains("scheme 'ftp'", scheme.Message, StringComparison.Ordinal);
        Assert.Contains("more than Fetcher:MaxArtifactBytes = 3", size.Message, StringComparison.Ordinal);
    }

    /// <summary>A symlink loop under the base path ended in a raw IOException ("Too many levels of symbolic links").</summary>
    [Theory]
    [InlineData("loop-a.b64")]
    [InlineData("self.b64")]
    [InlineData("loopdir/wf.b64")]
    [InlineData("https://artifacts.local/loop-b.b64")]
    public async Task Fetcher_refuses_a_symlink_loop_with_its_own_error(string url)
    {
        File.CreateSymbolicLink(Path.Combine(_base, "loop-a.b64"), Path.Combine(_base, "loop-b.b64"));
        File.CreateSymbolicLink(Path.Combine(_base, "loop-b.b64"), Path.Combine(_base, "loop-a.b64"));
        File.CreateSymbolicLink(Path.Combine(_base, "self.b64"), Path.Combine(_base, "self.b64"));
        Directory.CreateSymbolicLink(Path.Combine(_base, "loopdir"), Path.Combine(_base, "loopdir"));
        var fetcher = new FileArtifactFetcher(_base, 1024);

        var ex = await Assert.ThrowsAsync<ArtifactFetchException>(() => fetcher.FetchAsync(url, CancellationToken.None));

        Assert.Contains("symbolic link", ex.Message, StringComparison.Ordinal);
        Assert.Contains(url, ex.Message, StringComparison.Ordinal);
        Assert.Equal("inside", System.Text.Encoding.UTF8.GetString(await fetcher.FetchAsync("wf.b64", CancellationToken.None)));
    }

    private string Expand(string url) => url.Replace("{base}", _base, StringComparison.Ordinal).Replace("{outside}", _outside, StringComparison.Ordinal);
}
