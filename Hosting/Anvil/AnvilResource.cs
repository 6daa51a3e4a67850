namespace Aspire.Hosting.ApplicationModel;

/// <summary>A local Anvil chain run as an executable (npm <c>@foundry-rs/anvil</c>); its connection string is the JSON-RPC URL.</summary>
public sealed class AnvilResource(string name, string command, string workingDirectory, long chainId)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString, IAnvilResource
{
    internal const string PrimaryEndpointName = "http";

    private EndpointReference? _primaryEndpoint;

    public long ChainId { get; } = chainId;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"http://127.0.0.1:{PrimaryEndpoint.Property(EndpointProperty.Port)}");
}

/// <summary>Anvil from the Foundry container image (container mode, and the published manifest).</summary>
public sealed class AnvilContainerResource(string name, long chainId)
    : ContainerResource(name), IResourceWithConnectionString, IAnvilResource
{
    internal const string PrimaryEndpointName = "http";
    internal const int ContainerPort = 8545;

    private EndpointReference? _primaryEndpoint;

    public long ChainId { get; } = chainId;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.Url)}");
}

/// <summary>What the executable and the container form of Anvil share.</summary>
public interface IAnvilResource : IResourceWithConnectionString, IResourceWithEndpoints, IResourceWithWaitSupport
{
    long ChainId { get; }
}
