namespace CreAspire.WorkflowNode.Fetcher;

/// <summary>Fetches a workflow artifact (binary or config) by the URL registered on-chain, as raw bytes exactly as served.</summary>
public interface IArtifactFetcher
{
    /// <summary>Throws <see cref="ArtifactFetchException"/> with the reason when the artifact cannot be fetched.</summary>
    Task<byte[]> FetchAsync(string url, CancellationToken cancellationToken);
}

/// <summary>An artifact could not be fetched: the message names the URL and what was wrong.</summary>
public sealed class ArtifactFetchException : Exception
{
    public ArtifactFetchException(string message) : base(message)
    {
    }

    public ArtifactFetchException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
