using System.ComponentModel.DataAnnotations;

namespace CreAspire.Enclave;

/// <summary>Enclave settings (section "Enclave"); defaults suit the local topology.</summary>
public sealed class EnclaveOptions
{
    public const string SectionName = "Enclave";

    /// <summary>Aspire service-discovery key of the gateway's HTTP endpoint (services__gateway__http__0).</summary>
    public const string GatewayServiceKey = "services:gateway:http:0";

    /// <summary>Directory holding the fake NSM identity (FakeNitroIdentity.SaveTo); the AppHost creates it.</summary>
    [Required]
    public string IdentityDirectory { get; set; } = "";

    /// <summary>How long a node's request waits for F+1 signatures from its workflow DON (the original's --quorum-timeout).</summary>
    public TimeSpan QuorumTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Workflow runs at once; further runs wait in the queue (<see cref="MaxQueuedExecutions"/>).</summary>
    [Range(1, 1024)]
    public int MaxConcurrentExecutions { get; set; } = 4;

    /// <summary>
    /// Runs that reached their quorum and wait for a free slot (first come, first served) instead of being refused; a
    /// quorum that finds the slots and this queue full answers 429 "enclave at capacity" (the nodes retry with backoff).
    /// </summary>
    [Range(0, 65536)]
    public int MaxQueuedExecutions { get; set; } = 256;

    /// <summary>The gateway's JSON-RPC URL; when empty, services:gateway:http:0 + <see cref="GatewayPath"/>.</summary>
    public string? GatewayUrl { get; set; }

    /// <summary>Path of the gateway's user JSON-RPC endpoint, appended to the discovered gateway base URL.</summary>
    public string GatewayPath { get; set; } = "/";

    /// <summary>Per relay call (the original's DefaultGatewayRequestTimeout).</summary>
    public TimeSpan GatewayTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Once at start, send one attested confidential.secrets.get through the gateway (see <see cref="Relay.ConfidentialPathProbe"/>),
    /// retrying until the relays answer or <see cref="PathProbeBudget"/> runs out. Off by default; the AppHost turns it on.
    /// </summary>
    public bool PathProbe { get; set; }

    /// <summary>How long the start-up probe keeps retrying while the gateway, relays and vault come up.</summary>
    public TimeSpan PathProbeBudget { get; set; } = TimeSpan.FromMinutes(2);

    public TimeSpan BinaryFetchTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [Range(1, long.MaxValue)]
    public long MaxBinaryBytes { get; set; } = 64 * 1024 * 1024;

    public TimeSpan ExecutionTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a finished group's answer is kept for nodes whose signature arrives after the run.</summary>
    public TimeSpan ResultRetention { get; set; } = TimeSpan.FromMinutes(5);
}

/// <summary>Start-time checks the attributes cannot express.</summary>
internal sealed class EnclaveOptionsValidator(IConfiguration configuration) : IValidateOptions<EnclaveOptions>
{
    public ValidateOptionsResult Validate(string? name, EnclaveOptions options)
    {
        var failures = new List<string>();
        if (options.QuorumTimeout <= TimeSpan.Zero)
        {
            failures.Add($"Enclave:QuorumTimeout must be positive (got {options.QuorumTimeout})");
        }

        if (!string.IsNullOrWhiteSpace(options.IdentityDirectory) && !Directory.Exists(options.IdentityDirectory))
        {
            failures.Add($"Enclave:IdentityDirectory '{options.IdentityDirectory}' does not exist; create the identity with FakeNitroIdentity.Create().SaveTo(dir) and pass that dir");
        }

        if (string.IsNullOrWhiteSpace(options.GatewayUrl) && string.IsNullOrWhiteSpace(configuration[EnclaveOptions.GatewayServiceKey]))
        {
            failures.Add("the gateway URL is not configured: set Enclave:GatewayUrl or services__gateway__http__0");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
