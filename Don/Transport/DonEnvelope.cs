using System.Buffers.Binary;
using System.Text;
using CreAspire.Chain.Crypto;

namespace CreAspire.Don.Transport;

/// <summary>
/// One signed node-to-node message. The signature is EIP-191 over <see cref="SigningDigest"/>, a keccak-256 of the
/// kind, sender, message id, timestamp and keccak(body), so nothing in the envelope can change without breaking it.
/// </summary>
public sealed record DonEnvelope(string Kind, string Sender, string MessageId, long TimestampUnixMs, byte[] Body, byte[] Signature)
{
    private static readonly byte[] Domain = Encoding.ASCII.GetBytes("creaspire/don-transport/v1");

    public static DonEnvelope Create(string kind, EthKey sender, byte[] body, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(sender);
        var messageId = Guid.NewGuid().ToString("N");
        var timestamp = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var digest = SigningDigest(kind, sender.Address, messageId, timestamp, body);
        return new DonEnvelope(kind, sender.Address, messageId, timestamp, body, sender.SignPersonalMessage(digest));
    }

    /// <summary>keccak256(domain ‖ len-prefixed kind, sender, message id ‖ int64 timestamp ‖ keccak256(body)).</summary>
    public static byte[] SigningDigest(string kind, string sender, string messageId, long timestampUnixMs, ReadOnlySpan<byte> body)
    {
        using var stream = new MemoryStream();
        stream.Write(Domain);
        WriteString(stream, kind);
        WriteString(stream, sender.ToLowerInvariant());
        WriteString(stream, messageId);
        Span<byte> timestamp = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(timestamp, timestampUnixMs);
        stream.Write(timestamp);
        stream.Write(Keccak256.Hash(body));
        return Keccak256.Hash(stream.ToArray());
    }

    /// <summary>True when the signature is valid and made by <paramref name="address"/>'s key (fast path for known senders).</summary>
    public bool IsSignedBy(string address) =>
        Signature is { Length: 65 } && SignerKeys.IsSignedBy(address, Eip191.Hash(SigningDigest(Kind, Sender, MessageId, TimestampUnixMs, Body)), Signature);

    /// <summary>The address that signed this envelope, or null if the signature does not recover.</summary>
    public string? RecoverSigner() =>
        Signature is { Length: 65 } ? Eip191.RecoverSigner(SigningDigest(Kind, Sender, MessageId, TimestampUnixMs, Body), Signature) : null;

    private static void WriteString(Stream stream, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        stream.Write(length);
        stream.Write(bytes);
    }
}

/// <summary>Message kinds carried by the DON transport.</summary>
public static class DonMessageKinds
{
    public const string CapabilityRequest = "capability.request";
    public const string CapabilityResponse = "capability.response";
}
