using System.Buffers.Binary;
using System.Text;
using CreAspire.Chain.Identity;
using Nethereum.Signer;

namespace CreAspire.Protocol.Gateway;

/// <summary>
/// The node ⇄ gateway WebSocket handshake of the original (core/services/gateway/network): the node sends
/// <c>Authorization: base64(uint32BE(ts) ‖ pad0(DonId,64) ‖ pad0(GatewayId,128) ‖ sig65)</c>; the gateway answers the
/// upgrade with <c>Challenge: base64(uint32BE(ts) ‖ pad0(GatewayId,128) ‖ random(n))</c>; the node sends
/// <c>sig65(challenge)</c> as its first binary message. Signatures are EIP-191 personal signatures (secp256k1).
/// </summary>
public static class GatewayHandshake
{
    public const string AuthorizationHeader = "Authorization";
    public const string ChallengeHeader = "Challenge";
    public const int TimestampLength = 4;
    public const int DonIdLength = 64;
    public const int GatewayIdLength = 128;
    public const int SignatureLength = 65;
    public const int AuthHeaderLength = TimestampLength + DonIdLength + GatewayIdLength + SignatureLength;

    /// <summary>Builds and signs the node's auth header (raw bytes; base64 them for the HTTP header).</summary>
    public static byte[] BuildAuthHeader(EthECKey nodeKey, string donId, string gatewayId, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(nodeKey);
        var unsigned = new byte[TimestampLength + DonIdLength + GatewayIdLength];
        BinaryPrimitives.WriteUInt32BigEndian(unsigned, checked((uint)now.ToUnixTimeSeconds()));
        WritePadded(unsigned.AsSpan(TimestampLength, DonIdLength), donId, nameof(donId));
        WritePadded(unsigned.AsSpan(TimestampLength + DonIdLength, GatewayIdLength), gatewayId, nameof(gatewayId));
        return [.. unsigned, .. PersonalMessages.Sign(nodeKey, unsigned)];
    }

    /// <summary>Decodes an auth header and recovers its signer. Does not judge timestamp, ids or membership.</summary>
    public static NodeAuthHeader ParseAuthHeader(ReadOnlySpan<byte> header)
    {
        if (header.Length != AuthHeaderLength)
        {
            throw new GatewayHandshakeException(HandshakeFailure.Malformed, $"auth header is {header.Length} bytes, expected {AuthHeaderLength}");
        }

        var unsigned = header[..^SignatureLength];
        var signer = PersonalMessages.RecoverSigner(unsigned, header[^SignatureLength..])
            ?? throw new GatewayHandshakeException(HandshakeFailure.InvalidSignature, "auth header signature is invalid");
        return new NodeAuthHeader(
            BinaryPrimitives.ReadUInt32BigEndian(header),
            ReadPadded(header.Slice(TimestampLength, DonIdLength)),
            ReadPadded(header.Slice(TimestampLength + DonIdLength, GatewayIdLength)),
            signer);
    }

    /// <summary>The gateway's challenge: timestamp, its id and fresh random bytes the node must sign.</summary>
    public static byte[] BuildChallenge(string gatewayId, DateTimeOffset now, ReadOnlySpan<byte> random)
    {
        var challenge = new byte[TimestampLength + GatewayIdLength + random.Length];
        BinaryPrimitives.WriteUInt32BigEndian(challenge, checked((uint)now.ToUnixTimeSeconds()));
        WritePadded(challenge.AsSpan(TimestampLength, GatewayIdLength), gatewayId, nameof(gatewayId));
        random.CopyTo(challenge.AsSpan(TimestampLength + GatewayIdLength));
        return challenge;
    }

    /// <summary>Decodes a challenge (node side) so the node can check the gateway id and timestamp before signing.</summary>
    public static GatewayChallenge ParseChallenge(ReadOnlySpan<byte> challenge)
    {
        if (challenge.Length <= TimestampLength + GatewayIdLength)
        {
            throw new GatewayHandshakeException(HandshakeFailure.Malformed, $"challenge is {challenge.Length} bytes, expected more than {TimestampLength + GatewayIdLength}");
        }

        return new GatewayChallenge(
            BinaryPrimitives.ReadUInt32BigEndian(challenge),
            ReadPadded(challenge.Slice(TimestampLength, GatewayIdLength)));
    }

    public static byte[] SignChallenge(EthECKey nodeKey, ReadOnlySpan<byte> challenge)
    {
        ArgumentNullException.ThrowIfNull(nodeKey);
        return PersonalMessages.Sign(nodeKey, challenge);
    }

    /// <summary>Recovers who signed the challenge; throws when the signature is malformed or invalid.</summary>
    public static string RecoverChallengeSigner(ReadOnlySpan<byte> challenge, ReadOnlySpan<byte> signature) =>
        PersonalMessages.RecoverSigner(challenge, signature)
            ?? throw new GatewayHandshakeException(HandshakeFailure.InvalidSignature, $"challenge signature is invalid ({signature.Length} bytes, expected {SignatureLength})");

    /// <summary>True when <paramref name="timestamp"/> (unix seconds) lies within ±tolerance of now.</summary>
    public static bool IsFresh(uint timestamp, DateTimeOffset now, TimeSpan tolerance) =>
        Math.Abs(now.ToUnixTimeSeconds() - (long)timestamp) <= (long)Math.Ceiling(tolerance.TotalSeconds);

    private static void WritePadded(Span<byte> destination, string value, string name)
    {
        ArgumentNullException.ThrowIfNull(value, name);
        var bytes = Encoding.UTF8.GetBytes(value);
        if (bytes.Length > destination.Length)
        {
            throw new ArgumentException($"{name} '{value}' is {bytes.Length} bytes; at most {destination.Length} fit in the handshake.", name);
        }

        bytes.CopyTo(destination);
    }

    private static string ReadPadded(ReadOnlySpan<byte> field)
    {
        var end = field.IndexOf((byte)0);
        return Encoding.UTF8.GetString(end < 0 ? field : field[..end]);
    }
}

/// <summary>A decoded node auth header; <see cref="Signer"/> is the lower-case 0x address that signed it.</summary>
public sealed record NodeAuthHeader(uint Timestamp, string DonId, string GatewayId, string Signer);

/// <summary>A decoded gateway challenge.</summary>
public sealed record GatewayChallenge(uint Timestamp, string GatewayId);

/// <summary>Why a handshake was refused, one value per rule.</summary>
public enum HandshakeFailure
{
    Malformed,
    InvalidSignature,
    StaleTimestamp,
    WrongGatewayId,
    WrongDon,
    NotDonMember,
    SignerMismatch,
}

/// <summary>A refused handshake; <see cref="Failure"/> names the rule that failed.</summary>
public sealed class GatewayHandshakeException(HandshakeFailure failure, string message) : Exception(message)
{
    public HandshakeFailure Failure { get; } = failure;
}
