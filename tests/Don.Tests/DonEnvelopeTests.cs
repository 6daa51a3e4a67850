using CreAspire.Chain.Crypto;
using CreAspire.Don.Transport;

namespace CreAspire.Don.Tests;

public sealed class DonEnvelopeTests
{
    [Fact]
    public void Envelope_signature_verifies_only_for_its_signer_and_its_content()
    {
        var sender = EthKey.Derive("don-envelope-tests", "sender");
        var other = EthKey.Derive("don-envelope-tests", "other");
        var envelope = DonEnvelope.Create(DonMessageKinds.CapabilityRequest, sender, [1, 2, 3], TimeProvider.System);

        Assert.True(envelope.IsSignedBy(sender.Address));
        Assert.True(envelope.IsSignedBy(sender.Address)); // second check takes the cached-key path
        Assert.False(envelope.IsSignedBy(other.Address));
        Assert.False((envelope with { Body = [1, 2, 4] }).IsSignedBy(sender.Address));
        Assert.False((envelope with { TimestampUnixMs = envelope.TimestampUnixMs + 1 }).IsSignedBy(sender.Address));
        Assert.Equal(sender.Address, envelope.RecoverSigner());
    }
}
