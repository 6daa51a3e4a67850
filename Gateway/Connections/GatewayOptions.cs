using System.ComponentModel.DataAnnotations;
using CreAspire.Protocol.Gateway;

namespace CreAspire.Gateway.Connections;

/// <summary>Gateway identity, the relay DON it serves, and its connection and user-endpoint limits (section "Gateway").</summary>
public sealed class GatewayOptions : IValidatableObject
{
    public const string SectionName = "Gateway";

    /// <summary>The gateway id nodes must name in their auth header (the original's AuthGatewayId).</summary>
    [Required]
    public string Id { get; set; } = GatewayConnectorProtocol.DefaultGatewayId;

    /// <summary>On-chain id of the DON whose members may connect; set this or <see cref="DonName"/>.</summary>
    public uint? DonId { get; set; }

    /// <summary>Name of the DON whose members may connect; set this or <see cref="DonId"/>.</summary>
    public string? DonName { get; set; }

    /// <summary>How far a handshake timestamp may be from the gateway's clock (the original's AuthTimestampToleranceSec = 5).</summary>
    public TimeSpan AuthTimestampTolerance { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Random bytes in each challenge (the original's AuthChallengeLen = 10).</summary>
    [Range(8, 64)]
    public int AuthChallengeLength { get; set; } = 10;

    /// <summary>How long a node has to return the signed challenge after the upgrade.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>WebSocket ping interval; a node that stops answering pings for twice this long is dropped.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Largest user request body accepted (the original's MaxRequestBytes).</summary>
    [Range(1_000, 10_000_000)]
    public int MaxRequestBytes { get; set; } = 100_000;

    /// <summary>
    /// The user endpoint's own deadline. Handlers expire earlier (30 s, swept every second) so the caller gets the
    /// handler's precise error ("request expired: got n/m responses"), not a generic one; validated at start to exceed
    /// the handler's timeout plus its sweep period.
    /// </summary>
    public TimeSpan UserRequestTimeout { get; set; } = TimeSpan.FromSeconds(32);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DonId is null && string.IsNullOrWhiteSpace(DonName))
        {
            yield return new ValidationResult("Set Gateway:DonId or Gateway:DonName to the relay DON whose nodes may connect.", [nameof(DonId), nameof(DonName)]);
        }

        if (System.Text.Encoding.UTF8.GetByteCount(Id ?? "") > GatewayHandshake.GatewayIdLength)
        {
            yield return new ValidationResult($"Gateway:Id must fit in {GatewayHandshake.GatewayIdLength} bytes.", [nameof(Id)]);
        }

        if (AuthTimestampTolerance <= TimeSpan.Zero || HandshakeTimeout <= TimeSpan.Zero || HeartbeatInterval <= TimeSpan.Zero || UserRequestTimeout <= TimeSpan.Zero)
        {
            yield return new ValidationResult("Gateway timeouts and intervals must be positive.");
        }
    }
}
