using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CreAspire.Chain.Identity;
using Nethereum.Signer;
using Nethereum.Util;

namespace CreAspire.Don.Transport;

/// <summary>The dialing node's first message: who it is, whom it means to reach, when, and its ephemeral key, signed.</summary>
/// <param name="EphemeralKey">P-256 public key, X9.62 uncompressed (65 bytes), used once for this session.</param>
/// <param name="Signature">EIP-191 signature (65 bytes) by the sender's node key over <see cref="DonHandshake.HelloDigest"/>.</param>
public sealed record DonHello(int Version, string Sender, string Receiver, long TimestampUnixMs, byte[] EphemeralKey, byte[] Signature);

/// <summary>The accepting node's answer: its ephemeral key signed together with the hello, or why it refused.</summary>
public sealed record DonWelcome(string? Sender, byte[]? EphemeralKey, byte[]? Signature, string? Error);

/// <summary>The two MAC keys of an established session, one per direction.</summary>
internal sealed record DonSessionKeys(byte[] Send, byte[] Receive);

/// <summary>
/// The session handshake: a signed-Diffie-Hellman exchange (SIGMA style). Each side signs its fresh P-256 ephemeral key
/// with its node key (EIP-191, secp256k1), the acceptor's signature also covers the whole hello, so both sides know whom
/// they talk to; the ECDH secret of the ephemeral keys, bound to the transcript by HKDF-SHA256, gives one HMAC key per
/// direction. Every later frame carries an HMAC under that key and its implicit sequence number
/// (<see cref="DonFrameCodec"/>), so it costs two ECDSA operations per connection instead of one per message, and a
/// frame cannot be forged, altered, replayed or reordered without the ephemeral private keys. A recorded hello replayed
/// to a node yields nothing: the replayer cannot compute the session keys.
/// </summary>
public static class DonHandshake
{
    /// <summary>2: session records may carry a W3C trace context (<see cref="DonSession"/>); a version-1 peer could not read them.</summary>
    public const int Version = 2;

    /// <summary>Largest handshake message accepted.</summary>
    public const int MaxHandshakeBytes = 4096;

    private static readonly byte[] HelloDomain = Encoding.ASCII.GetBytes("creaspire/don-session/v1/hello");
    private static readonly byte[] WelcomeDomain = Encoding.ASCII.GetBytes("creaspire/don-session/v1/welcome");
    private static readonly byte[] ClientToServer = Encoding.ASCII.GetBytes("creaspire/don-session/v1/dialer->acceptor");
    private static readonly byte[] ServerToClient = Encoding.ASCII.GetBytes("creaspire/don-session/v1/acceptor->dialer");
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>keccak256(domain ‖ len‖sender ‖ len‖receiver ‖ int64BE timestamp ‖ len‖ephemeral key); signed with EIP-191.</summary>
    public static byte[] HelloDigest(string sender, string receiver, long timestampUnixMs, ReadOnlySpan<byte> ephemeralKey)
    {
        using var stream = new MemoryStream();
        stream.Write(HelloDomain);
        WriteField(stream, Encoding.UTF8.GetBytes(sender.ToLowerInvariant()));
        WriteField(stream, Encoding.UTF8.GetBytes(receiver.ToLowerInvariant()));
        Span<byte> timestamp = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(timestamp, timestampUnixMs);
        stream.Write(timestamp);
        WriteField(stream, ephemeralKey);
        return Sha3Keccack.Current.CalculateHash(stream.ToArray());
    }

    /// <summary>keccak256(domain ‖ sha256(hello bytes as sent) ‖ len‖sender ‖ len‖ephemeral key); signed with EIP-191.</summary>
    public static byte[] WelcomeDigest(ReadOnlySpan<byte> helloBytes, string sender, ReadOnlySpan<byte> ephemeralKey)
    {
        using var stream = new MemoryStream();
        stream.Write(WelcomeDomain);
        stream.Write(SHA256.HashData(helloBytes));
        WriteField(stream, Encoding.UTF8.GetBytes(sender.ToLowerInvariant()));
        WriteField(stream, ephemeralKey);
        return Sha3Keccack.Current.CalculateHash(stream.ToArray());
    }

    /// <summary>A signed hello from <paramref name="node"/> to <paramref name="receiver"/> with a fresh ephemeral key.</summary>
    public static (DonHello Hello, ECDiffieHellman Ephemeral) CreateHello(EthECKey node, string receiver, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(clock);
        var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = ExportPublicKey(ephemeral);
        var timestamp = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var address = node.GetPublicAddress().ToLowerInvariant();
        var signature = PersonalMessages.Sign(node, HelloDigest(address, receiver, timestamp, publicKey));
        return (new DonHello(Version, address, receiver, timestamp, publicKey, signature), ephemeral);
    }

    public static byte[] Serialize(DonHello hello) => JsonSerializer.SerializeToUtf8Bytes(hello, Json);

    public static byte[] Serialize(DonWelcome welcome) => JsonSerializer.SerializeToUtf8Bytes(welcome, Json);

    public static DonHello? ParseHello(ReadOnlySpan<byte> bytes) => JsonSerializer.Deserialize<DonHello>(bytes, Json);

    public static DonWelcome? ParseWelcome(ReadOnlySpan<byte> bytes) => JsonSerializer.Deserialize<DonWelcome>(bytes, Json);

    /// <summary>
    /// Checks a hello's form, addressing, freshness and signature (not the sender's DON membership, which the acceptor
    /// checks against the registry). Returns null when acceptable, otherwise why not.
    /// </summary>
    public static string? CheckHello(DonHello? hello, string self, TimeProvider clock, TimeSpan maxClockSkew)
    {
        ArgumentNullException.ThrowIfNull(clock);
        if (hello is null || string.IsNullOrEmpty(hello.Sender) || string.IsNullOrEmpty(hello.Receiver) || hello.EphemeralKey is null)
        {
            return "hello is not a DON session hello (version, sender, receiver, timestampUnixMs, ephemeralKey, signature)";
        }

        if (hello.Version != Version)
        {
            return $"unsupported DON session version {hello.Version} (this node speaks {Version})";
        }

        if (!string.Equals(hello.Receiver, self, StringComparison.OrdinalIgnoreCase))
        {
            return $"hello is addressed to {hello.Receiver}, but this node is {self}";
        }

        if (hello.Signature is not { Length: 65 })
        {
            return "hello is unsigned (a 65-byte EIP-191 signature by the sender's node key is required)";
        }

        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var skew = (long)maxClockSkew.TotalMilliseconds;
        if (Math.Abs(now - hello.TimestampUnixMs) > skew)
        {
            return $"stale hello: timestamp is {(now - hello.TimestampUnixMs) / 1000.0:0.###} s from this node's clock (allowed ±{skew / 1000.0:0.###} s)";
        }

        var signer = PersonalMessages.RecoverSigner(HelloDigest(hello.Sender, hello.Receiver, hello.TimestampUnixMs, hello.EphemeralKey), hello.Signature);
        if (signer is null)
        {
            return "hello signature does not recover to any key";
        }

        if (!string.Equals(signer, hello.Sender, StringComparison.OrdinalIgnoreCase))
        {
            return $"forged hello: signed by {signer}, but claims sender {hello.Sender}";
        }

        return null;
    }

    /// <summary>The acceptor's signed welcome and the session keys (acceptor's view: send = acceptor→dialer).</summary>
    internal static (DonWelcome Welcome, byte[] WelcomeBytes, DonSessionKeys Keys) Accept(EthECKey node, byte[] helloBytes, DonHello hello)
    {
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var publicKey = ExportPublicKey(ephemeral);
        var address = node.GetPublicAddress().ToLowerInvariant();
        var welcome = new DonWelcome(address, publicKey, PersonalMessages.Sign(node, WelcomeDigest(helloBytes, address, publicKey)), null);
        var welcomeBytes = Serialize(welcome);
        var (dialerToAcceptor, acceptorToDialer) = DeriveKeys(ephemeral, hello.EphemeralKey, helloBytes, welcomeBytes);
        return (welcome, welcomeBytes, new DonSessionKeys(acceptorToDialer, dialerToAcceptor));
    }

    /// <summary>
    /// Checks the acceptor's welcome (signed by <paramref name="expectedPeer"/> over our hello) and derives the session keys
    /// (dialer's view: send = dialer→acceptor). Throws <see cref="DonTransportException"/> with the reason otherwise.
    /// </summary>
    internal static DonSessionKeys Complete(ECDiffieHellman ephemeral, byte[] helloBytes, byte[] welcomeBytes, string expectedPeer)
    {
        DonWelcome? welcome;
        try
        {
            welcome = ParseWelcome(welcomeBytes);
        }
        catch (JsonException ex)
        {
            throw new DonTransportException($"node {expectedPeer} answered the session hello with something that is not a welcome: {DescribeJsonError(welcomeBytes, ex)}", ex);
        }

        if (welcome?.Error is { } error)
        {
            throw new DonTransportException($"node {expectedPeer} refused the session: {error}");
        }

        if (welcome?.Sender is null || welcome.EphemeralKey is null || welcome.Signature is not { Length: 65 })
        {
            throw new DonTransportException($"node {expectedPeer} answered the session hello without a signed welcome");
        }

        var signer = PersonalMessages.RecoverSigner(WelcomeDigest(helloBytes, welcome.Sender, welcome.EphemeralKey), welcome.Signature);
        if (!string.Equals(signer, expectedPeer, StringComparison.OrdinalIgnoreCase) || !string.Equals(welcome.Sender, expectedPeer, StringComparison.OrdinalIgnoreCase))
        {
            throw new DonTransportException($"the node at this URL is not {expectedPeer}: its welcome is signed by {signer ?? "nobody"} (claims {welcome.Sender})");
        }

        var (dialerToAcceptor, acceptorToDialer) = DeriveKeys(ephemeral, welcome.EphemeralKey, helloBytes, welcomeBytes);
        return new DonSessionKeys(dialerToAcceptor, acceptorToDialer);
    }

    /// <summary>
    /// Why a handshake message did not parse, in words: the reader's own message for text that is not JSON; for JSON of
    /// the wrong shape the member and what it must be (the serializer's message names .NET types instead).
    /// </summary>
    public static string DescribeJsonError(ReadOnlySpan<byte> message, JsonException exception) =>
        DonJson.DescribeError(message, exception, "version is a number, ephemeralKey and signature are base64 strings, the rest are strings");

    /// <summary>Reads one handshake message (null when the peer closed instead), bounded by the caller's token.</summary>
    internal static async Task<byte[]?> ReceiveHandshakeAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxHandshakeBytes];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                throw new DonTransportException($"handshake message exceeds {MaxHandshakeBytes} bytes");
            }

            var result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            length += result.Count;
            if (result.EndOfMessage)
            {
                return buffer[..length];
            }
        }
    }

    private static (byte[] DialerToAcceptor, byte[] AcceptorToDialer) DeriveKeys(ECDiffieHellman own, byte[] peerPublicKey, byte[] helloBytes, byte[] welcomeBytes)
    {
        byte[] secret;
        try
        {
            using var peer = ImportPublicKey(peerPublicKey);
            secret = own.DeriveRawSecretAgreement(peer.PublicKey);
        }
        catch (CryptographicException ex)
        {
            throw new DonTransportException($"the peer's ephemeral key is not a valid P-256 point: {ex.Message}", ex);
        }

        var transcript = SHA256.HashData([.. helloBytes, .. welcomeBytes]);
        var dialerToAcceptor = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, transcript, ClientToServer);
        var acceptorToDialer = HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, 32, transcript, ServerToClient);
        CryptographicOperations.ZeroMemory(secret);
        return (dialerToAcceptor, acceptorToDialer);
    }

    private static byte[] ExportPublicKey(ECDiffieHellman key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        return [0x04, .. parameters.Q.X!, .. parameters.Q.Y!];
    }

    private static ECDiffieHellman ImportPublicKey(byte[] uncompressed)
    {
        if (uncompressed.Length != 65 || uncompressed[0] != 0x04)
        {
            throw new CryptographicException($"expected a 65-byte uncompressed point, got {uncompressed.Length} bytes");
        }

        return ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = uncompressed[1..33], Y = uncompressed[33..65] },
        });
    }

    private static void WriteField(Stream stream, ReadOnlySpan<byte> value)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, value.Length);
        stream.Write(length);
        stream.Write(value);
    }
}
