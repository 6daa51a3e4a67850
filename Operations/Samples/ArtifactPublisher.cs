using System.Security.Cryptography;
using System.Text;
using CreAspire.Execution.Artifacts;

namespace CreAspire.Operations.Samples;

/// <summary>A workflow's binary and config as written to the artifacts folder, with the URLs that are registered on-chain.</summary>
public sealed record PublishedArtifacts(string BinaryPath, string ConfigPath, string BinaryUrl, string ConfigUrl, byte[] DecodedBinary, byte[] Config)
{
    /// <summary>Removes both files (a registration that failed leaves nothing behind).</summary>
    public void Delete()
    {
        File.Delete(BinaryPath);
        File.Delete(ConfigPath);
    }
}

/// <summary>
/// Writes workflow artifacts where the artifacts server serves them (and the workflow nodes' file fetcher reads them):
/// base64 of brotli WASM, as the original stores binaries, plus the config. File names are the workflow name reduced to
/// URL- and path-safe characters and a content hash, so redeploying other bytes never overwrites what a node fetched and no
/// name can escape the folder.
/// </summary>
public sealed class ArtifactPublisher(string folder, Uri baseUrl)
{
    public string Folder { get; } = folder;

    public Uri BaseUrl { get; } = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/");

    public async Task<PublishedArtifacts> PublishAsync(string workflowName, byte[] wasm, byte[] config, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(wasm);
        ArgumentNullException.ThrowIfNull(config);
        Directory.CreateDirectory(Folder);
        var artifact = WorkflowArtifact.Pack(wasm);
        var stem = $"{SafeStem(workflowName)}-{Convert.ToHexStringLower(SHA256.HashData([.. artifact, .. config]))[..12]}";
        var binaryPath = Path.Combine(Folder, stem + ".wasm.b64");
        var configPath = Path.Combine(Folder, stem + ".config");
        await WriteAtomicallyAsync(binaryPath, artifact, cancellationToken).ConfigureAwait(false);
        await WriteAtomicallyAsync(configPath, config, cancellationToken).ConfigureAwait(false);
        return new PublishedArtifacts(binaryPath, configPath, new Uri(BaseUrl, stem + ".wasm.b64").ToString(), new Uri(BaseUrl, stem + ".config").ToString(),
            WorkflowArtifact.DecodeBase64(artifact), config);
    }

    internal static string SafeStem(string name)
    {
        var builder = new StringBuilder(Math.Min(name.Length, 40));
        foreach (var c in name)
        {
            if (builder.Length == 40)
            {
                break;
            }

            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-');
        }

        return builder.Length == 0 ? "workflow" : builder.ToString();
    }

    private static async Task WriteAtomicallyAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8];
        await File.WriteAllBytesAsync(temporary, bytes, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }
}
