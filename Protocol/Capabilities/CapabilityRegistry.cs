using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace CreAspire.Protocol.Capabilities;

/// <summary>A node's view of the capabilities it can call, local or remote, by id.</summary>
public interface ICapabilityRegistry
{
    IReadOnlyCollection<string> Ids { get; }

    void AddOrReplace(IExecutableCapability capability);

    bool Remove(string id);

    bool TryGet(string id, [NotNullWhen(true)] out IExecutableCapability? capability);

    /// <summary>Returns the capability or throws with a message naming the missing id and what is registered.</summary>
    IExecutableCapability Get(string id);
}

/// <summary>Thread-safe <see cref="ICapabilityRegistry"/>.</summary>
public sealed class CapabilityRegistry : ICapabilityRegistry
{
    private readonly ConcurrentDictionary<string, IExecutableCapability> _capabilities = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Ids => _capabilities.Keys.Order(StringComparer.Ordinal).ToArray();

    public void AddOrReplace(IExecutableCapability capability)
    {
        ArgumentNullException.ThrowIfNull(capability);
        _capabilities[capability.Id] = capability;
    }

    public bool Remove(string id) => _capabilities.TryRemove(id, out _);

    public bool TryGet(string id, [NotNullWhen(true)] out IExecutableCapability? capability) =>
        _capabilities.TryGetValue(id, out capability);

    public IExecutableCapability Get(string id) => TryGet(id, out var capability)
        ? capability
        : throw new CapabilityNotFoundException(id, Ids);
}

/// <summary>Thrown when a capability id is not registered on this node.</summary>
public sealed class CapabilityNotFoundException(string id, IReadOnlyCollection<string> registered)
    : InvalidOperationException($"capability '{id}' is not registered on this node (registered: {(registered.Count == 0 ? "none" : string.Join(", ", registered))})")
{
    public string CapabilityId { get; } = id;
}
