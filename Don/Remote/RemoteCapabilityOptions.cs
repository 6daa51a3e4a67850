using System.ComponentModel.DataAnnotations;

namespace CreAspire.Don.Remote;

/// <summary>Timeouts of remote capability calls (configuration section <c>Don:RemoteCapabilities</c>).</summary>
public sealed class RemoteCapabilityOptions
{
    public const string SectionName = "Don:RemoteCapabilities";

    /// <summary>Client: how long a caller waits for F+1 identical responses. Longer than <see cref="QuorumTimeout"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:30:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(40);

    /// <summary>Server: how long a request waits for F(caller)+1 identical copies before it expires with an error.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:30:00")]
    public TimeSpan QuorumTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Server: how long an executed request's answer is kept for requesters that arrive late (dropped earlier once every member of the calling DON has it).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan ResultRetention { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Server: the upper bound on one execution of the local capability.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:30:00")]
    public TimeSpan ExecutionTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Server: how often expired requests are swept.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:01:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);
}
