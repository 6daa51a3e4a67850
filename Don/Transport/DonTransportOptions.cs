using System.ComponentModel.DataAnnotations;

namespace CreAspire.Don.Transport;

/// <summary>Timing of the node-to-node transport (configuration section <c>Don:Transport</c>).</summary>
public sealed class DonTransportOptions
{
    public const string SectionName = "Don:Transport";

    /// <summary>The path every node serves; peers POST signed envelopes to it.</summary>
    public const string MessagesPath = "/don/v1/messages";

    /// <summary>How far a message timestamp may be from this node's clock before it is rejected as stale.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound on one TCP connect to a peer.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Connection attempts per send (a refused connection is retried; the pool reconnects on the next send).</summary>
    [Range(1, 20)]
    public int ConnectAttempts { get; set; } = 3;

    /// <summary>First retry delay after a failed connection; doubles per attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Largest accepted envelope body in bytes.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 4 * 1024 * 1024;
}
