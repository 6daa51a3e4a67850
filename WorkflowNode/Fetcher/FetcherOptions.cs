using System.ComponentModel.DataAnnotations;

namespace CreAspire.WorkflowNode.Fetcher;

/// <summary>How the node fetches workflow artifacts (configuration section "Fetcher").</summary>
public sealed class FetcherOptions
{
    public const string SectionName = "Fetcher";

    /// <summary>"file" (read under <see cref="BasePath"/>; http(s) URLs reduced to their file name) or "http".</summary>
    [Required]
    [RegularExpression("^(file|http)$", ErrorMessage = "Fetcher:Mode must be 'file' or 'http'.")]
    public string Mode { get; set; } = "file";

    /// <summary>Folder the file fetcher reads artifacts from; required when Mode is "file".</summary>
    public string? BasePath { get; set; }

    /// <summary>Largest artifact accepted, in bytes (both fetchers).</summary>
    [Range(1, int.MaxValue)]
    public int MaxArtifactBytes { get; set; } = 20 * 1024 * 1024;

    /// <summary>Timeout of one HTTP fetch.</summary>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(10);
}
