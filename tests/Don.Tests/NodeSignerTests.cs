using System.Security.Cryptography;
using CreAspire.Chain.Crypto;
using CreAspire.Don.Transport;

namespace CreAspire.Don.Tests;

public sealed class NodeSignerTests
{
    [Fact]
    public void Fast_signer_produces_exactly_the_EthKey_signature()
    {
        for (var i = 0; i < 40; i++)
        {
            var key = EthKey.Derive("node-signer-tests", $"node-{i}");
            var message = RandomNumberGenerator.GetBytes(32 + i);

            var fast = new NodeSigner(key).SignPersonalMessage(message);

            Assert.Equal(key.SignPersonalMessage(message), fast);
            Assert.Equal(key.Address, Eip191.RecoverSigner(message, fast));
        }
    }

    [Fact]
    public void Envelope_signature_verifies_only_for_its_signer_and_its_content()
    {
        var sender = EthKey.Derive("node-signer-tests", "sender");
        var other = EthKey.Derive("node-signer-tests", "other");
        var envelope = DonEnvelope.Create(DonMessageKinds.CapabilityRequest, sender, [1, 2, 3], TimeProvider.System);

        Assert.True(envelope.IsSignedBy(sender.Address));
        Assert.True(envelope.IsSignedBy(sender.Address)); // second check takes the cached-key path
        Assert.False(envelope.IsSignedBy(other.Address));
        Assert.False((envelope with { Body = [1, 2, 4] }).IsSignedBy(sender.Address));
        Assert.False((envelope with { TimestampUnixMs = envelope.TimestampUnixMs + 1 }).IsSignedBy(sender.Address));
        Assert.Equal(sender.Address, envelope.RecoverSigner());
    }
}
