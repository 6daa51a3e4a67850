using System.ComponentModel.DataAnnotations;

namespace CreAspire.Don.Transport;

/// <summary>Timing of the node-to-node transport (configuration section <c>Don:Transport</c>).</summary>
public sealed class DonTransportOptions
{
    public const string SectionName = "Don:Transport";

    /// <summary>The path every node serves; peers open their WebSocket sessions there.</summary>
    public const string SessionPath = "/don/v1/session";

    /// <summary>GET: the sessions this node opened to peers (<see cref="DonTransportClient.OutgoingSessions"/>).</summary>
    public const string PeersPath = "/don/v1/peers";

    /// <summary>How far a session hello's timestamp may be from this node's clock before it is rejected as stale.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upper bound on opening one session with a peer (TCP connect, WebSocket upgrade and handshake).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Connection attempts when opening a session (a refused connection is retried).</summary>
    [Range(1, 20)]
    public int ConnectAttempts { get; set; } = 3;

    /// <summary>First retry delay after a failed connection; doubles per attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:00:10")]
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>WebSocket keep-alive (ping) interval of sessions.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Largest request or answer body in bytes.</summary>
    [Range(1024, 64 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 4 * 1024 * 1024;
}
