using CreAspire.Chain.Crypto;
using Microsoft.Extensions.Configuration;

namespace CreAspire.Protocol.Identity;

/// <summary>
/// A node's name and secp256k1 key. Keys are derived from a seed and the node name so runs are reproducible and the
/// AppHost can register the addresses on-chain before any node starts (<c>Node__Name</c>, <c>Node__Seed</c>, or an
/// explicit <c>Node__PrivateKey</c>).
/// </summary>
public sealed class NodeIdentity
{
    public const string DefaultSeed = "creaspire-dev";

    public NodeIdentity(string name, EthKey key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Key = key;
    }

    public string Name { get; }

    public EthKey Key { get; }

    /// <summary>Lower-case 0x address (the node's signer in the CapabilitiesRegistry).</summary>
    public string Address => Key.Address;

    public static NodeIdentity Derive(string name, string seed = DefaultSeed) => new(name, EthKey.Derive(seed, name));

    public static NodeIdentity FromConfiguration(IConfiguration configuration)
    {
        var name = configuration["Node:Name"];
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new InvalidOperationException("Node:Name is not set; every node needs a name (environment variable Node__Name).");
        }

        var privateKey = configuration["Node:PrivateKey"];
        if (!string.IsNullOrWhiteSpace(privateKey))
        {
            return new NodeIdentity(name, EthKey.FromHex(privateKey));
        }

        return Derive(name, configuration["Node:Seed"] is { Length: > 0 } seed ? seed : DefaultSeed);
    }
}
