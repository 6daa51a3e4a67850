using System.Security.Cryptography;
using CreAspire.Enclave.Identity;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Relay;
using CreAspire.Protocol.Secrets;

namespace CreAspire.Enclave.Relay;

/// <summary>
/// Once at start (Enclave:PathProbe), one real confidential.secrets.get through the gateway for a secret nobody has:
/// the gateway fans it out, every relay verifies the attestation and calls the vault DON, every vault node looks the
/// secret up and answers "secret not found", and the relays' identical answers reach quorum at the gateway. Retried
/// until that answer comes back (the gateway, relays and vault start beside the enclave) or Enclave:PathProbeBudget
/// runs out.
/// <para>
/// Why: with ReadyToRun code final (tiered compilation off) each process still JIT-compiles on first use what has no
/// precompiled code (generic instantiations, Dapper's and StreamJsonRpc's emitted code, the attestation and vault paths).
/// Measured with bench/E2E --trace: the first confidential execution after registration spent 1.7 s in its first
/// secrets.get round trip against 39 ms for the later ones, and 136 ms in its first capability.execute round trip (most
/// of that code shared with secrets.get). The probe pays that at start instead of the user's first execution. It reads
/// nothing: the vault records the request (owner 0x0…0, workflow id <see cref="ProbeWorkflowId"/>) as not found.
/// </para>
/// </summary>
public sealed partial class ConfidentialPathProbe(
    RelayGatewayClient gateway,
    EnclaveAttestor attestor,
    IOptions<EnclaveOptions> options,
    TimeProvider timeProvider,
    ILogger<ConfidentialPathProbe> logger) : BackgroundService
{
    /// <summary>The workflow id the probe's request names (64 hex digits, like a workflow id, of no registered workflow).</summary>
    public static readonly string ProbeWorkflowId = new('0', 64);

    /// <summary>The owner the probe's request names (the zero address: no one's secrets).</summary>
    public const string ProbeOwner = "0x0000000000000000000000000000000000000000";

    /// <summary>The key of the secret the probe asks for.</summary>
    public const string ProbeSecretKey = "CREASPIRE_PATH_PROBE";

    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    /// <summary>Completes when the probe got the vault's answer (true) or gave up (false).</summary>
    public Task<bool> Completion => _completion.Task;

    private readonly TaskCompletionSource<bool> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield(); // the host's start goes on; the probe's first attestation is not part of it
        var budget = options.Value.PathProbeBudget;
        var started = timeProvider.GetTimestamp();
        string lastFailure = "no attempt";
        var attempts = 0;
        try
        {
            while (timeProvider.GetElapsedTime(started) < budget)
            {
                attempts++;
                var attempt = timeProvider.GetTimestamp();
                var outcome = await TryOnceAsync(stoppingToken).ConfigureAwait(false);
                if (outcome is null)
                {
                    LogAnswered(logger, timeProvider.GetElapsedTime(attempt).TotalMilliseconds, attempts, timeProvider.GetElapsedTime(started).TotalSeconds);
                    _completion.TrySetResult(true);
                    return;
                }

                lastFailure = outcome;
                LogAttemptFailed(logger, attempts, outcome);
                await Task.Delay(RetryDelay, timeProvider, stoppingToken).ConfigureAwait(false);
            }

            LogGaveUp(logger, budget.TotalSeconds, attempts, lastFailure);
            _completion.TrySetResult(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _completion.TrySetResult(false);
        }
    }

    /// <summary>One probe request: null when the vault's not-found answer came back through the relays, else why not.</summary>
    private async Task<string?> TryOnceAsync(CancellationToken cancellationToken)
    {
        var (privateKey, publicKey) = SecretSealer.CreateKeyPair();
        var scope = new ExecutionScope(ProbeWorkflowId, ProbeOwner, Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), privateKey, publicKey);
        var secrets = new EnclaveSecretsProvider(scope, gateway, attestor);
        try
        {
            var result = await secrets.FetchAsync([new RelaySecretIdentifier(ProbeSecretKey, CapabilityIds.DefaultSecretNamespace)], cancellationToken).ConfigureAwait(false);
            // A vault that has the probe's secret is not what the probe expects, but the path answered all the same.
            return result.Secrets.Count > 0 ? null : "the relays answered with no secret entry";
        }
        catch (RelayGatewayException ex) when (ex.Message.Contains(VaultMessages.SecretNotFound, StringComparison.Ordinal))
        {
            return null;
        }
        catch (RelayGatewayException ex)
        {
            return ex.Message;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Confidential path probe: the gateway, the relays (attestation verified) and the vault answered in {Milliseconds:0} ms (attempt {Attempts}, {Seconds:0.0} s after start)")]
    private static partial void LogAnswered(ILogger logger, double milliseconds, int attempts, double seconds);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Confidential path probe attempt {Attempt} failed: {Reason}")]
    private static partial void LogAttemptFailed(ILogger logger, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Confidential path probe gave up after {Seconds:0} s ({Attempts} attempts): {Reason}; the first confidential execution pays for the cold path")]
    private static partial void LogGaveUp(ILogger logger, double seconds, int attempts, string reason);
}
