using System.Security.Cryptography;
using CreAspire.Chain.Identity;
using CreAspire.Don.Transport;

namespace CreAspire.Don.Tests;

public sealed class DonHandshakeTests
{
    private static readonly NodeKeys Dialer = NodeKeys.Derive("don-handshake-tests", "dialer");
    private static readonly NodeKeys Acceptor = NodeKeys.Derive("don-handshake-tests", "acceptor");
    private static readonly NodeKeys Impostor = NodeKeys.Derive("don-handshake-tests", "impostor");

    [Fact]
    public void Both_sides_derive_matching_keys_one_per_direction()
    {
        var (hello, ephemeral) = DonHandshake.CreateHello(Dialer.SigningKey, Acceptor.Address, TimeProvider.System);
        using var _ = ephemeral;
        var helloBytes = DonHandshake.Serialize(hello);
        Assert.Null(DonHandshake.CheckHello(DonHandshake.ParseHello(helloBytes), Acceptor.Address, TimeProvider.System, TimeSpan.FromSeconds(30)));

        var (_, welcomeBytes, acceptorKeys) = DonHandshake.Accept(Acceptor.SigningKey, helloBytes, hello);
        var dialerKeys = DonHandshake.Complete(ephemeral, helloBytes, welcomeBytes, Acceptor.Address);

        Assert.Equal(dialerKeys.Send, acceptorKeys.Receive);
        Assert.Equal(dialerKeys.Receive, acceptorKeys.Send);
        Assert.NotEqual(dialerKeys.Send, dialerKeys.Receive);
    }

    [Fact]
    public void A_welcome_from_another_node_than_the_one_dialed_is_refused()
    {
        var (hello, ephemeral) = DonHandshake.CreateHello(Dialer.SigningKey, Acceptor.Address, TimeProvider.System);
        using var _ = ephemeral;
        var helloBytes = DonHandshake.Serialize(hello);
        var (_, welcomeBytes, _) = DonHandshake.Accept(Impostor.SigningKey, helloBytes, hello);

        var error = Assert.Throws<DonTransportException>(() => DonHandshake.Complete(ephemeral, helloBytes, welcomeBytes, Acceptor.Address));

        Assert.Contains($"is not {Acceptor.Address}: its welcome is signed by {Impostor.Address}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_welcome_for_a_different_hello_is_refused()
    {
        var (hello, ephemeral) = DonHandshake.CreateHello(Dialer.SigningKey, Acceptor.Address, TimeProvider.System);
        using var _ = ephemeral;
        var (otherHello, otherEphemeral) = DonHandshake.CreateHello(Dialer.SigningKey, Acceptor.Address, TimeProvider.System);
        using var __ = otherEphemeral;
        var (_, welcomeBytes, _) = DonHandshake.Accept(Acceptor.SigningKey, DonHandshake.Serialize(otherHello), otherHello); // recorded from another session

        Assert.Throws<DonTransportException>(() => DonHandshake.Complete(ephemeral, DonHandshake.Serialize(hello), welcomeBytes, Acceptor.Address));
    }

    /// <summary>Found by DonHandshakeFuzzTests: the refusal quoted the serializer ("could not be converted to CreAspire.Don.Transport.DonWelcome").</summary>
    [Theory]
    [InlineData("{\"sender\":5}", "$.sender has the wrong type")]
    [InlineData("{\"ephemeralKey\":\"not base64!\"}", "$.ephemeralKey has the wrong type")]
    [InlineData("[1]", "$ has the wrong type")]
    [InlineData("{\"sender\":", "it is not JSON (")]
    public void A_welcome_that_does_not_parse_is_refused_naming_the_member_not_a_type(string welcome, string reason)
    {
        var (hello, ephemeral) = DonHandshake.CreateHello(Dialer.SigningKey, Acceptor.Address, TimeProvider.System);
        using var _ = ephemeral;

        var error = Assert.Throws<DonTransportException>(() => DonHandshake.Complete(ephemeral, DonHandshake.Serialize(hello), System.Text.Encoding.UTF8.GetBytes(welcome), Acceptor.Address));

        Assert.StartsWith($"node {Acceptor.Address} answered the session hello with something that is not a welcome: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("CreAspire.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Frames_open_only_unaltered_in_order_and_once()
    {
        var key = RandomNumberGenerator.GetBytes(32);
        using var sender = new DonFrameCodec(key);
        byte[][] frames = [Seal(sender, [1, 2, 3]), Seal(sender, [4, 5]), Seal(sender, [6])];

        using (var receiver = new DonFrameCodec(key))
        {
            Assert.True(receiver.Open(frames[0]));
            Assert.False(receiver.Open(frames[0]), "a replayed frame must not open");
        }

        using (var receiver = new DonFrameCodec(key))
        {
            Assert.False(receiver.Open(frames[1]), "a frame out of order must not open");
        }

        using (var receiver = new DonFrameCodec(key))
        {
            var tampered = (byte[])frames[0].Clone();
            tampered[1] ^= 0x80;
            Assert.False(receiver.Open(tampered));
            Assert.True(receiver.Open(frames[0]));
            Assert.True(receiver.Open(frames[1]));
            Assert.True(receiver.Open(frames[2]));
        }

        using var wrongKey = new DonFrameCodec(RandomNumberGenerator.GetBytes(32));
        Assert.False(wrongKey.Open(frames[0]));
    }

    private static byte[] Seal(DonFrameCodec codec, byte[] payload)
    {
        var tag = new byte[DonFrameCodec.TagLength];
        codec.Seal(payload, tag);
        return [.. payload, .. tag];
    }
}
