using Microsoft.Extensions.Options;

namespace CreAspire.Explorer.Configuration;

/// <summary>What kind of node a base URL belongs to.</summary>
public enum NodeRole
{
    Workflow,
    Relay,
    Capability,
    Gateway,
    Enclave,
}

/// <summary>One node the explorer reads: its base URL and role.</summary>
public sealed class ExplorerNodeOptions
{
    public string Url { get; set; } = "";

    public NodeRole Role { get; set; }
}

/// <summary>
/// The explorer's settings (section "Explorer"). The chain comes from the settings every service reads:
/// <c>ConnectionStrings:chain</c>, <c>Chain:WorkflowRegistry</c>, <c>Chain:CapabilitiesRegistry</c>. Nodes are
/// <c>Explorer:Nodes:&lt;name&gt;:Url</c> and <c>:Role</c>; without any, they are discovered from Aspire's service references
/// (<c>services:&lt;name&gt;:http:0</c>; names wf-*, relay-*, cap-*, gateway, enclave; artifacts gives the artifacts URL).
/// </summary>
public sealed class ExplorerOptions
{
    public const string SectionName = "Explorer";

    public Dictionary<string, ExplorerNodeOptions> Nodes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The Aspire dashboard's base URL, for trace links (e.g. http://localhost:18888); none = no links.</summary>
    public string? DashboardUrl { get; set; }

    /// <summary>Folder the artifacts server serves (where deploy writes binaries and configs).</summary>
    public string ArtifactsFolder { get; set; } = "";

    /// <summary>Base URL of the artifacts server (registered on-chain as the binary URL's prefix).</summary>
    public string ArtifactsUrl { get; set; } = "";

    /// <summary>Folder of the compiled sample workflows; default: workflows/ beside the explorer.</summary>
    public string? WasmFolder { get; set; }

    /// <summary>How often the pages' data is read while a page is open.</summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often the CapabilitiesRegistry, peer sessions and the enclave identity are read.</summary>
    public TimeSpan TopologyRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Bound on each read of a node.</summary>
    public TimeSpan ReadTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Newest executions read per workflow node.</summary>
    public int ExecutionsPerNode { get; set; } = 200;

    /// <summary>Bound on waiting for every node to follow a deploy, pause, activate or delete.</summary>
    public TimeSpan NodeTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Checks the explorer's settings at start, naming the setting to fix.</summary>
internal sealed class ExplorerOptionsValidator : IValidateOptions<ExplorerOptions>
{
    public ValidateOptionsResult Validate(string? name, ExplorerOptions options)
    {
        var failures = new List<string>();
        foreach (var (node, settings) in options.Nodes)
        {
            if (!Uri.TryCreate(settings.Url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                failures.Add($"Explorer:Nodes:{node}:Url = '{settings.Url}' is not an http(s) URL.");
            }
        }

        if (options.RefreshInterval <= TimeSpan.Zero || options.TopologyRefreshInterval <= TimeSpan.Zero || options.ReadTimeout <= TimeSpan.Zero)
        {
            failures.Add("Explorer:RefreshInterval, Explorer:TopologyRefreshInterval and Explorer:ReadTimeout must be positive.");
        }

        if (!string.IsNullOrEmpty(options.DashboardUrl) && !Uri.TryCreate(options.DashboardUrl, UriKind.Absolute, out _))
        {
            failures.Add($"Explorer:DashboardUrl = '{options.DashboardUrl}' is not an absolute URL.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
