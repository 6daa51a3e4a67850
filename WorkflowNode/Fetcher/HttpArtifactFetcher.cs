namespace CreAspire.WorkflowNode.Fetcher;

/// <summary>Fetches artifacts over HTTP(S) with a size limit and a timeout.</summary>
public sealed class HttpArtifactFetcher(HttpClient httpClient, int maxArtifactBytes, TimeSpan timeout) : IArtifactFetcher
{
    public async Task<byte[]> FetchAsync(string url, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArtifactFetchException($"artifact URL '{url}' is not an absolute http(s) URL; the HTTP fetcher (Fetcher:Mode=http) only reads http(s) URLs");
        }

        using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutSource.CancelAfter(timeout);
        try
        {
            using var response = await httpClient.GetAsync(uri, HttpCompletionOption.ResponseHeadersRead, timeoutSource.Token);
            if (!response.IsSuccessStatusCode)
            {
                throw new ArtifactFetchException($"artifact {url} answered HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            if (response.Content.Headers.ContentLength > maxArtifactBytes)
            {
                throw TooLarge(url, response.Content.Headers.ContentLength.Value);
            }

            await using var body = await response.Content.ReadAsStreamAsync(timeoutSource.Token);
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await body.ReadAsync(chunk, timeoutSource.Token)) > 0)
            {
                if (buffer.Length + read > maxArtifactBytes)
                {
                    throw TooLarge(url, buffer.Length + read);
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ArtifactFetchException($"artifact {url} was not fetched within Fetcher:HttpTimeout = {timeout}", ex);
        }
        catch (HttpRequestException ex)
        {
            throw new ArtifactFetchException($"artifact {url} could not be fetched: {ex.Message}", ex);
        }
    }

    private ArtifactFetchException TooLarge(string url, long size) =>
        new($"artifact {url} is at least {size} bytes, more than Fetcher:MaxArtifactBytes = {maxArtifactBytes}");
}
