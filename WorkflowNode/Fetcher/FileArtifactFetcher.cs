namespace CreAspire.WorkflowNode.Fetcher;

/// <summary>
/// Reads artifacts from a local base path (the original's file fetcher, PR #22044). An http(s) URL is reduced to its
/// file name and read under the base path, so a confidential workflow can register a URL the enclave fetches while the
/// node reads its local copy. Anything that resolves outside the base path, including through a symlink, is rejected.
/// </summary>
public sealed class FileArtifactFetcher : IArtifactFetcher
{
    private readonly string _basePath;
    private readonly string _realBasePath;
    private readonly int _maxBytes;

    public FileArtifactFetcher(string basePath, int maxArtifactBytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(basePath);
        _basePath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(basePath));
        if (!Directory.Exists(_basePath))
        {
            throw new DirectoryNotFoundException($"Fetcher:BasePath '{_basePath}' does not exist; create it or point Fetcher:BasePath at the artifacts folder.");
        }

        _realBasePath = ResolveLinks(_basePath);
        _maxBytes = maxArtifactBytes;
    }

    public string BasePath => _basePath;

    public async Task<byte[]> FetchAsync(string url, CancellationToken cancellationToken)
    {
        var path = ResolvePath(url);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new ArtifactFetchException($"artifact {url} not found: no file at {path} (basePath {_basePath})");
            }

            if (info.Length > _maxBytes)
            {
                throw new ArtifactFetchException($"artifact {url} is {info.Length} bytes, more than Fetcher:MaxArtifactBytes = {_maxBytes}");
            }

            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Removed, replaced or unreadable between the checks and the read.
            throw new ArtifactFetchException($"artifact {url} could not be read from {path}: {ex.Message}", ex);
        }
    }

    /// <summary>The file a URL resolves to; throws <see cref="ArtifactFetchException"/> when it has no file name, leaves the base path or runs into a link loop.</summary>
    public string ResolvePath(string url)
    {
        ArgumentNullException.ThrowIfNull(url);
        string candidate;
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps))
        {
            // Only the last path segment counts (filepath.Base(u.Path)); the query and the host are ignored.
            var fileName = Uri.UnescapeDataString(Path.GetFileName(uri.AbsolutePath));
            if (fileName.Length == 0)
            {
                throw new ArtifactFetchException($"HTTP URL has no filename in path: {url} (basePath {_basePath})");
            }

            if (fileName is "." or ".." || fileName.IndexOfAny(['/', '\\', '\0']) >= 0)
            {
                throw NotWithinBasePath(url);
            }

            candidate = Path.Combine(_basePath, fileName);
        }
        else
        {
            candidate = LocalPath(url, uri);
        }

        var full = Path.GetFullPath(candidate);
        if (!IsWithin(full, _basePath))
        {
            throw NotWithinBasePath(url);
        }

        string real;
        try
        {
            real = ResolveLinks(full);
        }
        catch (IOException ex)
        {
            // A link chain that never ends (a -> b -> a, a directory linking to itself) says "Too many levels of symbolic
            // links"; a name the file system refuses says why.
            throw new ArtifactFetchException($"request URL {url} cannot be resolved under the basePath {_basePath}: {ex.Message}; fix or remove the symbolic link or name", ex);
        }

        if (!IsWithin(real, _realBasePath))
        {
            throw NotWithinBasePath(url);
        }

        return full;
    }

    private string LocalPath(string url, Uri? uri)
    {
        var isPlainPath = uri is null || Path.IsPathRooted(url);
        if (!isPlainPath && uri!.Scheme == Uri.UriSchemeFile)
        {
            return uri.LocalPath;
        }

        if (!isPlainPath)
        {
            throw new ArtifactFetchException($"request URL {url} has scheme '{uri!.Scheme}'; the file fetcher reads paths, file:// and http(s) URLs under the basePath {_basePath}");
        }

        // A path is read as a URL path (as url.Parse does): the query and fragment are dropped, %-escapes decoded, so an
        // encoded traversal is caught by the containment check below.
        var end = url.IndexOfAny(['?', '#']);
        var path = Uri.UnescapeDataString(end >= 0 ? url[..end] : url);
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArtifactFetchException($"request URL {url} has no path (basePath {_basePath})");
        }

        return Path.IsPathRooted(path) ? path : Path.Combine(_basePath, path);
    }

    private ArtifactFetchException NotWithinBasePath(string url) =>
        new($"request URL {url} is not within the basePath {_basePath}");

    private static bool IsWithin(string path, string basePath) =>
        path.StartsWith(basePath + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    /// <summary>The path with every symlink along it resolved (missing tail segments are kept as they are).</summary>
    private static string ResolveLinks(string fullPath)
    {
        var root = Path.GetPathRoot(fullPath) ?? "/";
        var current = root;
        var segments = fullPath[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < segments.Length; i++)
        {
            var next = Path.Combine(current, segments[i]);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true);
                next = target is null ? next : ResolveLinks(Path.GetFullPath(target.FullName));
            }
            else if (!info.Exists)
            {
                return Path.Combine([next, .. segments[(i + 1)..]]);
            }

            current = next;
        }

        return current;
    }
}
