using System.Net;
using CreAspire.WorkflowNode.Fetcher;

namespace CreAspire.WorkflowNode.Tests;

public sealed class HttpArtifactFetcherTests
{
    [Fact]
    public async Task Http_fetcher_returns_the_bytes_as_served()
    {
        var fetcher = new HttpArtifactFetcher(new HttpClient(new Answering(_ => new ByteArrayContent("QUJD"u8.ToArray()))), 100, TimeSpan.FromSeconds(5));

        Assert.Equal("QUJD"u8.ToArray(), await fetcher.FetchAsync("http://artifacts.local/wf.b64", CancellationToken.None));
    }

    [Fact]
    public async Task Http_fetcher_enforces_the_size_limit_even_without_content_length()
    {
        var fetcher = new HttpArtifactFetcher(
            new HttpClient(new Answering(_ => new StreamContent(new MemoryStream(new byte[500])))), 100, TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<ArtifactFetchException>(() => fetcher.FetchAsync("http://artifacts.local/big", CancellationToken.None));

        Assert.Contains("more than Fetcher:MaxArtifactBytes = 100", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_fetcher_times_out_and_names_the_url()
    {
        var fetcher = new HttpArtifactFetcher(new HttpClient(new Hanging()), 100, TimeSpan.FromMilliseconds(100));

        var error = await Assert.ThrowsAsync<ArtifactFetchException>(() => fetcher.FetchAsync("https://artifacts.local/slow", CancellationToken.None));

        Assert.Equal("artifact https://artifacts.local/slow was not fetched within Fetcher:HttpTimeout = 00:00:00.1000000", error.Message);
    }

    [Theory]
    [InlineData("wf.b64")]
    [InlineData("ftp://artifacts.local/wf.b64")]
    public async Task Http_fetcher_rejects_non_http_urls(string url)
    {
        var fetcher = new HttpArtifactFetcher(new HttpClient(new Hanging()), 100, TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<ArtifactFetchException>(() => fetcher.FetchAsync(url, CancellationToken.None));

        Assert.Contains("is not an absolute http(s) URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http_fetcher_reports_http_errors()
    {
        var fetcher = new HttpArtifactFetcher(
            new HttpClient(new Answering(_ => null)), 100, TimeSpan.FromSeconds(5));

        var error = await Assert.ThrowsAsync<ArtifactFetchException>(() => fetcher.FetchAsync("http://artifacts.local/missing", CancellationToken.None));

        Assert.Equal("artifact http://artifacts.local/missing answered HTTP 404 Not Found", error.Message);
    }

    private sealed class Answering(Func<HttpRequestMessage, HttpContent?> content) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(content(request) is { } body
                ? new HttpResponseMessage(HttpStatusCode.OK) { Content = body }
                : new HttpResponseMessage(HttpStatusCode.NotFound) { ReasonPhrase = "Not Found" });
    }

    private sealed class Hanging : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }
}
