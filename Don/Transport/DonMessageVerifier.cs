using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CreAspire.Don.Transport;

/// <summary>
/// Checks an incoming envelope: signature recovers to the claimed sender, timestamp is fresh, message id not seen before.
/// Membership of the DON the sender claims is checked by the receiver that knows which DON that is.
/// </summary>
public sealed partial class DonMessageVerifier(IOptions<DonTransportOptions> options, TimeProvider clock, ILogger<DonMessageVerifier> logger)
{
    private readonly ConcurrentDictionary<string, long> _seen = new(StringComparer.Ordinal);
    private long _nextPruneMs;

    /// <summary>Returns null when the envelope is acceptable, otherwise why it is not (already logged).</summary>
    public string? Verify(DonEnvelope envelope, string expectedKind)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var failure = Check(envelope, expectedKind);
        if (failure is not null)
        {
            LogRejected(logger, envelope.Sender, envelope.MessageId, failure);
        }

        return failure;
    }

    /// <summary>Logs a rejection decided elsewhere (e.g. sender not a member of the claimed DON).</summary>
    public void Reject(DonEnvelope envelope, string reason) => LogRejected(logger, envelope.Sender, envelope.MessageId, reason);

    private string? Check(DonEnvelope envelope, string expectedKind)
    {
        if (envelope.Kind != expectedKind)
        {
            return $"unexpected message kind '{envelope.Kind}' (expected '{expectedKind}')";
        }

        if (envelope.Signature is not { Length: 65 })
        {
            return "message is unsigned (a 65-byte EIP-191 signature by the sender's node key is required)";
        }

        if (envelope.IsSignedBy(envelope.Sender))
        {
            return CheckFreshness(envelope);
        }

        var signer = envelope.RecoverSigner();
        if (signer is null)
        {
            return "signature does not recover to any key";
        }

        if (!string.Equals(signer, envelope.Sender, StringComparison.OrdinalIgnoreCase))
        {
            return $"forged message: signed by {signer}, but claims sender {envelope.Sender}";
        }

        return $"signature by {signer} does not verify";
    }

    private string? CheckFreshness(DonEnvelope envelope)
    {
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var skew = (long)options.Value.MaxClockSkew.TotalMilliseconds;
        if (Math.Abs(now - envelope.TimestampUnixMs) > skew)
        {
            return $"stale message: timestamp is {(now - envelope.TimestampUnixMs) / 1000.0:0.###} s from this node's clock (allowed ±{skew / 1000.0:0.###} s)";
        }

        Prune(now, skew);
        if (!_seen.TryAdd(envelope.Sender + "/" + envelope.MessageId, now + (2 * skew)))
        {
            return $"replayed message id {envelope.MessageId}";
        }

        return null;
    }

    private void Prune(long now, long skew)
    {
        var next = Interlocked.Read(ref _nextPruneMs);
        if (now < next || Interlocked.CompareExchange(ref _nextPruneMs, now + skew, next) != next)
        {
            return;
        }

        foreach (var (id, expiry) in _seen)
        {
            if (expiry < now)
            {
                _seen.TryRemove(id, out _);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected DON message from {Sender} (id {MessageId}): {Reason}")]
    private static partial void LogRejected(ILogger logger, string sender, string messageId, string reason);
}
