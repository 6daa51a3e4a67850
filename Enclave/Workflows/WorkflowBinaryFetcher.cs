using System.IO.Compression;
using CreAspire.Protocol.Telemetry;
using System.Security.Cryptography;

namespace CreAspire.Enclave.Workflows;

/// <summary>
/// Fetches a workflow artifact over HTTP and checks it against binary_hash before anything runs.
/// binary_hash is sha256 of the fetched artifact bytes exactly as served (base64 text of the brotli-compressed WASM);
/// sha256 of the base64-decoded artifact (the original's ComputeBinaryHash over the decoded binary) is accepted too.
/// The artifact is then decoded: base64 → brotli → WASM (a raw "\0asm" module is also accepted at either stage).
/// Decoded binaries are kept by binary_hash in <see cref="WorkflowBinaryCache"/>: content that matched a hash once is that
/// hash's content, so later executions of the same workflow skip the download.
/// </summary>
public sealed class WorkflowBinaryFetcher(HttpClient http, WorkflowBinaryCache cache, IOptions<EnclaveOptions> options)
{
    private static readonly byte[] WasmMagic = [0x00, 0x61, 0x73, 0x6D];

    public async Task<byte[]> FetchAsync(string binaryUrl, byte[] binaryHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(binaryHash);
        var key = Convert.ToHexStringLower(binaryHash);
        using var activity = EnclaveTelemetry.Source.StartActivity("enclave.fetch_binary");
        activity?.SetTag("url.full", binaryUrl).SetTag("enclave.binary_hash", key);
        if (cache.TryGet(key, out var cached))
        {
            activity?.SetTag("enclave.cache_hit", true);
            return cached;
        }

        activity?.SetTag("enclave.cache_hit", false);
        try
        {
            var wasm = await DownloadAndCheckAsync(binaryUrl, binaryHash, cancellationToken).ConfigureAwait(false);
            cache.Add(key, wasm);
            return wasm;
        }
        catch (Exception ex) when (activity is not null)
        {
            activity.Fail(ex);
            throw;
        }
    }

    private async Task<byte[]> DownloadAndCheckAsync(string binaryUrl, byte[] binaryHash, CancellationToken cancellationToken)
    {
        var artifact = await DownloadAsync(binaryUrl, cancellationToken).ConfigureAwait(false);
        var decoded = TryBase64(artifact);
        var matches = SHA256.HashData(artifact).AsSpan().SequenceEqual(binaryHash)
            || (decoded is not null && SHA256.HashData(decoded).AsSpan().SequenceEqual(binaryHash));
        if (!matches)
        {
            throw new EnclaveRequestException(StatusCodes.Status502BadGateway,
                $"binary at {binaryUrl} does not match binary_hash: sha256 is {Convert.ToHexStringLower(SHA256.HashData(artifact))}, expected {Convert.ToHexStringLower(binaryHash)}");
        }

        return Decode(artifact, decoded, binaryUrl, options.Value.MaxBinaryBytes);
    }

    private async Task<byte[]> DownloadAsync(string binaryUrl, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(binaryUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            throw new EnclaveRequestException(StatusCodes.Status400BadRequest, $"binary_url '{binaryUrl}' is not an absolute http(s) URL");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.BinaryFetchTimeout);
        try
        {
            using var response = await http.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw new EnclaveRequestException(StatusCodes.Status502BadGateway, $"fetching binary {binaryUrl} failed with HTTP {(int)response.StatusCode}");
            }

            if (response.Content.Headers.ContentLength > options.Value.MaxBinaryBytes)
            {
                throw new EnclaveRequestException(StatusCodes.Status502BadGateway, $"binary {binaryUrl} is {response.Content.Headers.ContentLength} bytes, over the {options.Value.MaxBinaryBytes}-byte limit");
            }

            var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            return bytes.Length <= options.Value.MaxBinaryBytes
                ? bytes
                : throw new EnclaveRequestException(StatusCodes.Status502BadGateway, $"binary {binaryUrl} is over the {options.Value.MaxBinaryBytes}-byte limit");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EnclaveRequestException(StatusCodes.Status502BadGateway, $"fetching binary {binaryUrl} did not finish within {options.Value.BinaryFetchTimeout}");
        }
        catch (HttpRequestException ex)
        {
            throw new EnclaveRequestException(StatusCodes.Status502BadGateway, $"fetching binary {binaryUrl} failed: {ex.Message}", ex);
        }
    }

    /// <summary>The WASM inside the artifact; the decompressed module is held to <paramref name="maxBytes"/> too (a small brotli stream can expand without bound).</summary>
    private static byte[] Decode(byte[] artifact, byte[]? decoded, string binaryUrl, long maxBytes)
    {
        if (IsWasm(artifact))
        {
            return artifact;
        }

        if (decoded is null)
        {
            throw new EnclaveRequestException(StatusCodes.Status502BadGateway, $"binary {binaryUrl} is neither WASM nor base64(brotli(WASM))");
        }

        if (IsWasm(decoded))
        {
            return decoded;
        }

        try
        {
            using var input = new MemoryStream(decoded);
            using var brotli = new BrotliStream(input, CompressionMode.Decompress);
            using var output = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = brotli.Read(chunk)) > 0)
            {
                if (output.Length + read > maxBytes)
                {
                    throw new EnclaveRequestException(StatusCodes.Status502BadGateway, $"binary {binaryUrl} decompresses to more than the {maxBytes}-byte limit (Enclave:MaxBinaryBytes)");
                }

                output.Write(chunk, 0, read);
            }

            var wasm = output.ToArray();
            return IsWasm(wasm)
                ? wasm
                : throw new EnclaveRequestException(StatusCodes.Status502BadGateway, $"binary {binaryUrl} decompresses to something that is not WASM");
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException)
        {
            // BrotliStream reports corrupt data as InvalidOperationException ("Decoder ran into invalid data"), truncated as InvalidDataException.
            throw new EnclaveRequestException(StatusCodes.Status502BadGateway, $"binary {binaryUrl} is base64 but not brotli-compressed WASM: {ex.Message}", ex);
        }
    }

    private static bool IsWasm(byte[] bytes) => bytes.AsSpan().StartsWith(WasmMagic);

    private static byte[]? TryBase64(byte[] artifact)
    {
        try
        {
            return Convert.FromBase64String(System.Text.Encoding.ASCII.GetString(artifact).Trim());
        }
        catch (FormatException)
        {
            return null;
        }
    }
}

/// <summary>Decoded workflow binaries by binary_hash (hex), at most <see cref="Capacity"/>; the oldest is dropped first.</summary>
public sealed class WorkflowBinaryCache
{
    public const int Capacity = 32;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, byte[]> _binaries = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public bool TryGet(string binaryHash, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out byte[]? wasm)
    {
        lock (_lock)
        {
            return _binaries.TryGetValue(binaryHash, out wasm);
        }
    }

    public void Add(string binaryHash, byte[] wasm)
    {
        lock (_lock)
        {
            if (_binaries.TryAdd(binaryHash, wasm))
            {
                _order.Enqueue(binaryHash);
                if (_order.Count > Capacity)
                {
                    _binaries.Remove(_order.Dequeue());
                }
            }
        }
    }
}
