using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Security.Cryptography;
using CreAspire.Chain.Identity;
using Nethereum.Signer;
using CreAspire.Don.Transport;
using CreAspire.Protocol.Identity;

namespace CreAspire.Don.Tests.Infrastructure;

/// <summary>A hand-driven dialing side of the DON transport, so tests can send exactly the bytes they mean to.</summary>
internal static class RawDonClient
{
    /// <summary>A hello signed by <paramref name="signer"/> that claims <paramref name="claimedSender"/>, with a fresh ephemeral key.</summary>
    public static (DonHello Hello, ECDiffieHellman Ephemeral) Hello(EthECKey signer, string claimedSender, string receiver, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(signer);
        var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = ephemeral.ExportParameters(false).Q;
        byte[] publicKey = [0x04, .. q.X!, .. q.Y!];
        var signature = PersonalMessages.Sign(signer, DonHandshake.HelloDigest(claimedSender, receiver, timestamp, publicKey));
        return (new DonHello(DonHandshake.Version, claimedSender, receiver, timestamp, publicKey, signature), ephemeral);
    }

    /// <summary>Opens a WebSocket to the node, sends <paramref name="helloBytes"/> as the hello and returns the raw answer (null when it closed instead).</summary>
    public static async Task<(ClientWebSocket Socket, byte[]? Welcome)> SendHelloAsync(Uri node, byte[] helloBytes)
    {
        ArgumentNullException.ThrowIfNull(node);
        var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await socket.ConnectAsync(new Uri($"ws://{node.Authority}{DonTransportOptions.SessionPath}"), timeout.Token);
        await socket.SendAsync(helloBytes, WebSocketMessageType.Binary, true, timeout.Token);
        try
        {
            return (socket, await DonHandshake.ReceiveHandshakeAsync(socket, timeout.Token));
        }
        catch (WebSocketException)
        {
            return (socket, null); // aborted instead of answered
        }
    }

    /// <summary>A session with the node opened by <paramref name="dialer"/> through the real handshake.</summary>
    public static async Task<(ClientWebSocket Socket, DonSessionKeys Keys)> OpenAsync(Uri node, NodeIdentity dialer, string acceptor)
    {
        ArgumentNullException.ThrowIfNull(dialer);
        var (hello, ephemeral) = Hello(dialer.Key, dialer.Address, acceptor, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        using (ephemeral)
        {
            var helloBytes = DonHandshake.Serialize(hello);
            var (socket, welcome) = await SendHelloAsync(node, helloBytes);
            return (socket, DonHandshake.Complete(ephemeral, helloBytes, welcome ?? throw new InvalidOperationException("the node closed instead of answering the hello"), acceptor));
        }
    }

    /// <summary>One record: type (1 request, 2 response) ‖ id ‖ status ‖ length ‖ body.</summary>
    public static byte[] Record(byte type, ulong id, byte[] body, ushort status = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        var record = new byte[15 + body.Length];
        record[0] = type;
        BinaryPrimitives.WriteUInt64BigEndian(record.AsSpan(1), id);
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(9), status);
        BinaryPrimitives.WriteInt32BigEndian(record.AsSpan(11), body.Length);
        body.CopyTo(record, 15);
        return record;
    }

    /// <summary>The frame carrying <paramref name="payload"/>: payload ‖ MAC under the codec's key and sequence.</summary>
    internal static byte[] Seal(DonFrameCodec codec, byte[] payload)
    {
        ArgumentNullException.ThrowIfNull(codec);
        var tag = new byte[DonFrameCodec.TagLength];
        codec.Seal(payload, tag);
        return [.. payload, .. tag];
    }
}
