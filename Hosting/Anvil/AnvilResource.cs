using CreAspire.NativeTools;

namespace CreAspire.Hosting.ApplicationModel;

/// <summary>A local Anvil chain; its connection string is the JSON-RPC URL.</summary>
public sealed class AnvilResource(string name, long chainId)
    : ExecutableResource(name, "anvil", "."), IResourceWithConnectionString
{
    public const long DefaultChainId = 1337;

    public long ChainId { get; } = chainId;

    /// <summary>The anvil binary installed from npm (resolved when the resource starts).</summary>
    public override string Command => NativeToolPaths.Anvil;

    public string GetConnectionString() => this.GetEndpoint().ToString().TrimEnd('/');
}
