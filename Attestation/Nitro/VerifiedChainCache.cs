using System.Security.Cryptography;

namespace CreAspire.Attestation.Nitro;

/// <summary>
/// Certificate chains (leaf + cabundle, by SHA-256 of their DER bytes) that one <see cref="NitroAttestationVerifier"/> built
/// to a configured root, with the window in which every certificate of the chain is valid. A hit stands for the chain
/// decision only while the time is inside that window; at most <see cref="Capacity"/> chains, the oldest dropped first.
/// Building an X509 chain is most of a verification's cost (bench/Attestation.Bench: verify with and without the cache),
/// and an enclave signs every document with the same leaf until it restarts.
/// </summary>
public sealed class VerifiedChainCache
{
    public const int DefaultCapacity = 64;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (DateTimeOffset NotBefore, DateTimeOffset NotAfter)> _chains = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public VerifiedChainCache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    public int Capacity { get; }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _chains.Count;
            }
        }
    }

    /// <summary>The key of a chain: SHA-256 over the length-prefixed leaf and cabundle certificates, in order.</summary>
    public static string KeyOf(byte[] leaf, IReadOnlyList<byte[]?> caBundle)
    {
        ArgumentNullException.ThrowIfNull(leaf);
        ArgumentNullException.ThrowIfNull(caBundle);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> length = stackalloc byte[4];
        Append(hash, leaf, length);
        foreach (var certificate in caBundle)
        {
            Append(hash, certificate ?? [], length);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>True when the chain was verified and <paramref name="now"/> is inside its validity window; an expired entry is dropped.</summary>
    public bool IsVerified(string key, DateTimeOffset now)
    {
        lock (_lock)
        {
            if (!_chains.TryGetValue(key, out var window))
            {
                return false;
            }

            if (now >= window.NotBefore && now <= window.NotAfter)
            {
                return true;
            }

            // Outside the window the chain must be built again (and will fail as not time-valid): forget the decision.
            _chains.Remove(key);
            return false;
        }
    }

    public void Add(string key, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        if (Capacity == 0)
        {
            return;
        }

        lock (_lock)
        {
            if (_chains.ContainsKey(key))
            {
                _chains[key] = (notBefore, notAfter);
                return;
            }

            // Drop the oldest entries still held (a key in the queue may have been removed as expired).
            while (_chains.Count >= Capacity && _order.TryDequeue(out var oldest))
            {
                _chains.Remove(oldest);
            }

            _chains[key] = (notBefore, notAfter);
            _order.Enqueue(key);
        }
    }

    private static void Append(IncrementalHash hash, byte[] bytes, Span<byte> length)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        hash.AppendData(length);
        hash.AppendData(bytes);
    }
}
