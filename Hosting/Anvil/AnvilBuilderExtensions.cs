using System.Globalization;
using Aspire.Hosting.ApplicationModel;
using CreAspire.Hosting.Anvil;
using CreAspire.Hosting.Run;
using CreAspire.NativeTools;
using Microsoft.Extensions.DependencyInjection;

namespace Aspire.Hosting;

/// <summary>AddAnvil: a local EVM chain with deterministic dev accounts, healthy when eth_chainId answers with its chain id.</summary>
public static class AnvilBuilderExtensions
{
    public const long DefaultChainId = 1337;

    /// <summary>The Foundry image the container form runs (its entrypoint is a shell; anvil is given as the command).</summary>
    public const string Image = "ghcr.io/foundry-rs/foundry";

    public const string ImageTag = "v1.7.1";

    /// <summary>Adds Anvil as an executable on 127.0.0.1 (<paramref name="port"/>, or a free one) with its own HOME.</summary>
    public static IResourceBuilder<AnvilResource> AddAnvil(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, long chainId = DefaultChainId, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chainId);
        var chosenPort = port ?? FreePorts.Next();
        var home = Path.Combine(SharedFolders.Root, "anvil-home");
        var command = builder.ExecutionContext.IsRunMode ? NativeToolPaths.Anvil : "anvil";
        var resource = new AnvilResource(name, command, builder.ExecutionContext.IsRunMode ? SharedFolders.Create(home) : home, chainId);
        return builder.AddResource(resource)
            .WithEndpoint(port: chosenPort, targetPort: chosenPort, scheme: "http", name: AnvilResource.PrimaryEndpointName, isProxied: false)
            .WithArgs("--host", "127.0.0.1", "--port", chosenPort.ToString(CultureInfo.InvariantCulture),
                      "--chain-id", chainId.ToString(CultureInfo.InvariantCulture))
            .WithEnvironment("HOME", home) // keeps ~/.foundry caches out of the user's home
            .WithAnvilHealthCheck()
            .WithIconName("Cube")
            .ExcludeFromManifest();
    }

    /// <summary>Adds Anvil from the Foundry image (<see cref="Image"/>:<see cref="ImageTag"/>), listening on 0.0.0.0:8545 in the container.</summary>
    public static IResourceBuilder<AnvilContainerResource> AddAnvilContainer(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, long chainId = DefaultChainId, int? port = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(chainId);
        var resource = new AnvilContainerResource(name, chainId);
        return builder.AddResource(resource)
            .WithImage(Image, ImageTag)
            .WithEntrypoint("anvil")
            .WithArgs("--host", "0.0.0.0", "--port", AnvilContainerResource.ContainerPort.ToString(CultureInfo.InvariantCulture),
                      "--chain-id", chainId.ToString(CultureInfo.InvariantCulture))
            .WithHttpEndpoint(port: port, targetPort: AnvilContainerResource.ContainerPort, name: AnvilContainerResource.PrimaryEndpointName)
            .WithAnvilHealthCheck()
            .WithIconName("Cube");
    }

    private static IResourceBuilder<T> WithAnvilHealthCheck<T>(this IResourceBuilder<T> builder) where T : IAnvilResource
    {
        var key = $"{builder.Resource.Name}_check";
        var resource = builder.Resource;
        builder.ApplicationBuilder.Services.AddHealthChecks().Add(new(key, _ => new AnvilHealthCheck(resource), failureStatus: null, tags: null));
        return builder.WithHealthCheck(key);
    }
}
