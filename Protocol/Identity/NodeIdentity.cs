using CreAspire.Chain.Identity;
using Microsoft.Extensions.Configuration;
using Nethereum.Signer;

namespace CreAspire.Protocol.Identity;

/// <summary>
/// A node's name and keys (<see cref="NodeKeys"/>: secp256k1 signing key, X25519 encryption key, CSA key, p2p id). Keys are
/// derived from a seed and the node name so runs are reproducible and the AppHost can register them on-chain before any
/// node starts (<c>Node__Name</c>, <c>Node__Seed</c>, or an explicit <c>Node__PrivateKey</c> signing key).
/// </summary>
public sealed class NodeIdentity
{
    public const string DefaultSeed = "creaspire-dev";

    public NodeIdentity(string name, NodeKeys keys)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(keys);
        Name = name;
        Keys = keys;
    }

    public string Name { get; }

    public NodeKeys Keys { get; }

    /// <summary>The secp256k1 signing key (Nethereum).</summary>
    public EthECKey Key => Keys.SigningKey;

    /// <summary>Lower-case 0x address (the node's signer in the CapabilitiesRegistry).</summary>
    public string Address => Keys.Address;

    public static NodeIdentity Derive(string name, string seed = DefaultSeed) => new(name, NodeKeys.Derive(seed, name));

    public static NodeIdentity FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var name = configuration["Node:Name"];
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new InvalidOperationException("Node:Name is not set; every node needs a name (environment variable Node__Name).");
        }

        var privateKey = configuration["Node:PrivateKey"];
        if (!string.IsNullOrWhiteSpace(privateKey))
        {
            try
            {
                return new NodeIdentity(name, NodeKeys.FromPrivateKeyHex(privateKey));
            }
            catch (FormatException ex)
            {
                throw new InvalidOperationException($"Node:PrivateKey of node '{name}' is not usable: {ex.Message}", ex);
            }
        }

        return Derive(name, configuration["Node:Seed"] is { Length: > 0 } seed ? seed : DefaultSeed);
    }
}
