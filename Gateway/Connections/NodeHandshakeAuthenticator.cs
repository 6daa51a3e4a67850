using System.Security.Cryptography;
using CreAspire.Gateway.Topology;
using CreAspire.Protocol.Gateway;
using Microsoft.Extensions.Options;

namespace CreAspire.Gateway.Connections;

/// <summary>
/// The gateway's side of the handshake, one rule per check: header decodes and its signature recovers, timestamp within
/// tolerance, gateway id is ours, DON is the relay DON, signer is a member; then the challenge must be signed by the
/// same signer.
/// </summary>
public sealed class NodeHandshakeAuthenticator(RelayDonResolver donResolver, IOptions<GatewayOptions> options, TimeProvider timeProvider)
{
    private readonly GatewayOptions _options = options.Value;

    public async ValueTask<NodeAuthHeader> AuthenticateHeaderAsync(string? authorization, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(authorization))
        {
            throw new GatewayHandshakeException(HandshakeFailure.Malformed, $"the {GatewayHandshake.AuthorizationHeader} header is missing");
        }

        byte[] raw;
        try
        {
            raw = Convert.FromBase64String(authorization.Trim());
        }
        catch (FormatException)
        {
            throw new GatewayHandshakeException(HandshakeFailure.Malformed, $"the {GatewayHandshake.AuthorizationHeader} header is not base64");
        }

        var header = GatewayHandshake.ParseAuthHeader(raw);
        if (!GatewayHandshake.IsFresh(header.Timestamp, timeProvider.GetUtcNow(), _options.AuthTimestampTolerance))
        {
            throw new GatewayHandshakeException(HandshakeFailure.StaleTimestamp,
                $"auth header timestamp {header.Timestamp} is more than {_options.AuthTimestampTolerance.TotalSeconds}s from the gateway clock {timeProvider.GetUtcNow().ToUnixTimeSeconds()}; check the node's clock");
        }

        if (!string.Equals(header.GatewayId, _options.Id, StringComparison.Ordinal))
        {
            throw new GatewayHandshakeException(HandshakeFailure.WrongGatewayId, $"auth header names gateway '{header.GatewayId}' but this is '{_options.Id}'");
        }

        var don = await donResolver.ResolveAsync(cancellationToken).ConfigureAwait(false);
        if (!RelayDonResolver.NamesDon(don, header.DonId))
        {
            throw new GatewayHandshakeException(HandshakeFailure.WrongDon, $"auth header names DON '{header.DonId}' but this gateway serves DON {don.Id} ('{don.Name}')");
        }

        if (!don.IsMember(header.Signer))
        {
            throw new GatewayHandshakeException(HandshakeFailure.NotDonMember, $"signer {header.Signer} is not a member of DON {don.Id} ('{don.Name}')");
        }

        return header;
    }

    public byte[] NewChallenge() =>
        GatewayHandshake.BuildChallenge(_options.Id, timeProvider.GetUtcNow(), RandomNumberGenerator.GetBytes(_options.AuthChallengeLength));

    public static void VerifyChallengeResponse(ReadOnlySpan<byte> challenge, ReadOnlySpan<byte> signature, string expectedSigner)
    {
        var signer = GatewayHandshake.RecoverChallengeSigner(challenge, signature);
        if (!string.Equals(signer, expectedSigner, StringComparison.OrdinalIgnoreCase))
        {
            throw new GatewayHandshakeException(HandshakeFailure.SignerMismatch, $"challenge was signed by {signer}, not by the header's signer {expectedSigner}");
        }
    }
}
