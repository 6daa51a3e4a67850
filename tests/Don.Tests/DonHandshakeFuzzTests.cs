using System.Text;
using CreAspire.Chain.Identity;
using CreAspire.Don.Transport;
using CreAspire.Fuzzing;
using Xunit.Abstractions;

namespace CreAspire.Don.Tests;

/// <summary>
/// The DON session handshake at the level of bytes in, error out: a mutated hello is refused with a reason (or, if not
/// JSON, with the endpoint's JSON refusal), a mutated welcome fails with <see cref="DonTransportException"/>; nothing
/// else is thrown and nothing but the signed message is accepted. Fixed keys and a fixed clock: every run, same bytes.
/// </summary>
public sealed class DonHandshakeFuzzTests(ITestOutputHelper output)
{
    private static readonly NodeKeys Dialer = NodeKeys.Derive("don-handshake-fuzz", "dialer");
    private static readonly NodeKeys Acceptor = NodeKeys.Derive("don-handshake-fuzz", "acceptor");
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(30);
    private readonly FixedClock _clock = new(new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public void Mutated_hellos_are_refused_with_a_reason()
    {
        using var ephemeral = FixedEphemeral(1);
        var hello = Hello(ephemeral);
        var valid = DonHandshake.Serialize(hello);
        var inputs = Mutations.BitFlips(valid).Concat(Mutations.Truncations(valid))
            .Concat(JsonMutations.Systematic(Encoding.UTF8.GetString(valid))).Concat(JsonMutations.Random(Encoding.UTF8.GetString(valid), 1500, seed: 1830))
            .Concat(Mutations.Noise(300, 300, seed: 1831));

        var tally = FuzzTally.Run("don: session hellos", inputs, input =>
        {
            DonHello? parsed;
            try
            {
                parsed = DonHandshake.ParseHello(input.Bytes);
            }
            catch (System.Text.Json.JsonException ex)
            {
                // The acceptor's refusal, sent back in the welcome and logged.
                return FuzzResult.Refused("not a hello", "hello is not a DON session hello: " + DonHandshake.DescribeJsonError(input.Bytes, ex));
            }
#pragma warning disable CA1031 // any other exception is a finding
            catch (Exception ex)
            {
                return FuzzResult.Escaped(ex);
            }

            try
            {
                var reason = DonHandshake.CheckHello(parsed, Acceptor.Address, _clock, Skew);
                if (reason is not null)
                {
                    return FuzzResult.Refused(reason.Split(':', ' ')[0] is var head && head.Length > 0 ? head : reason, reason);
                }

                // Accepted: only the signed hello itself (re-spelled JSON of the same values) may pass.
                // Addresses are case-insensitive (the digest signs them lower-cased), so a re-cased address is the same hello.
                return string.Equals(parsed!.Sender, hello.Sender, StringComparison.OrdinalIgnoreCase) && string.Equals(parsed.Receiver, hello.Receiver, StringComparison.OrdinalIgnoreCase)
                       && parsed.TimestampUnixMs == hello.TimestampUnixMs
                       && parsed.EphemeralKey.AsSpan().SequenceEqual(hello.EphemeralKey) && parsed.Version == hello.Version
                    ? FuzzResult.Accepted
                    : FuzzResult.Wrong($"accepted a hello that is not the signed one: {Encoding.UTF8.GetString(input.Bytes)}");
            }
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return FuzzResult.Escaped(ex);
            }
        }, parallel: true);

        tally.Report(output).AssertClean();
        Assert.Null(DonHandshake.CheckHello(DonHandshake.ParseHello(valid), Acceptor.Address, _clock, Skew));
    }

    [Fact]
    public void Mutated_welcomes_fail_with_a_transport_error()
    {
        using var ephemeral = FixedEphemeral(1);
        using var acceptorEphemeral = FixedEphemeral(2);
        var helloBytes = DonHandshake.Serialize(Hello(ephemeral));
        var acceptorKey = PublicKey(acceptorEphemeral);
        var valid = DonHandshake.Serialize(new DonWelcome(Acceptor.Address, acceptorKey, PersonalMessages.Sign(Acceptor.SigningKey, DonHandshake.WelcomeDigest(helloBytes, Acceptor.Address, acceptorKey)), null));
        var inputs = Mutations.BitFlips(valid).Where((_, i) => i % 2 == 0).Concat(Mutations.Truncations(valid))
            .Concat(JsonMutations.Systematic(Encoding.UTF8.GetString(valid))).Concat(JsonMutations.Random(Encoding.UTF8.GetString(valid), 1000, seed: 1832))
            .Concat(Mutations.Noise(300, 300, seed: 1833));

        var tally = FuzzTally.Run("don: session welcomes", inputs, input => FuzzResult.Of<DonTransportException>(
            () => DonHandshake.Complete(ephemeral, helloBytes, input.Bytes, Acceptor.Address), ex => ex.Message.Contains("refused", StringComparison.Ordinal) ? "refusal relayed" : "bad welcome"));

        tally.Report(output).AssertClean();
        Assert.NotNull(DonHandshake.Complete(ephemeral, helloBytes, valid, Acceptor.Address));
    }

    /// <summary>A P-256 ephemeral key from a fixed scalar, so the hello and welcome bytes are the same on every run.</summary>
    private static System.Security.Cryptography.ECDiffieHellman FixedEphemeral(byte seed) =>
        System.Security.Cryptography.ECDiffieHellman.Create(new System.Security.Cryptography.ECParameters
        {
            Curve = System.Security.Cryptography.ECCurve.NamedCurves.nistP256,
            D = [.. Enumerable.Repeat((byte)0, 31), seed],
        });

    private static byte[] PublicKey(System.Security.Cryptography.ECDiffieHellman key)
    {
        var q = key.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    private DonHello Hello(System.Security.Cryptography.ECDiffieHellman ephemeral)
    {
        var key = PublicKey(ephemeral);
        var timestamp = _clock.GetUtcNow().ToUnixTimeMilliseconds();
        return new DonHello(DonHandshake.Version, Dialer.Address, Acceptor.Address, timestamp, key, PersonalMessages.Sign(Dialer.SigningKey, DonHandshake.HelloDigest(Dialer.Address, Acceptor.Address, timestamp, key)));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
