namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// An HTTP file server for workflow binaries and configs (the URLs registered on-chain), run inside the AppHost: a process of
/// its own would add ~60 MiB for serving a few files.
/// </summary>
public sealed class ArtifactsServerResource(string name, string rootDirectory)
    : Resource(name), IResourceWithServiceDiscovery, IResourceWithWaitSupport
{
    internal const string PrimaryEndpointName = "http";

    private EndpointReference? _primaryEndpoint;

    /// <summary>The folder whose files are served.</summary>
    public string RootDirectory { get; } = rootDirectory;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);
}
