using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace CreAspire.Protocol.Secrets;

/// <summary>
/// At start, on a background thread: seals a random value to a throwaway X25519 key and opens it again (the vault's seal,
/// the enclave's and the workflow nodes' open), and logs an error if it does not come back byte for byte. Why here:
/// BouncyCastle is loaded, and its X25519 code compiled, on first use; on the capability nodes that first use was the
/// first vault execution, 130-380 ms of its first confidential execution (traced, 2026-12-06), and a multicore JIT
/// profile cannot compile a module's methods ahead of the module's load. Costs one seal and one open of CPU at start.
/// </summary>
public sealed class SecretSealerSelfTest(ILogger<SecretSealerSelfTest> logger) : IHostedService
{
    /// <summary>One seal and open round trip with fresh keys; throws <see cref="CryptographicException"/> if it does not round-trip.</summary>
    public static TimeSpan Run()
    {
        var clock = Stopwatch.StartNew();
        var (privateKey, publicKey) = SecretSealer.CreateKeyPair();
        var value = RandomNumberGenerator.GetBytes(32);
        var associatedData = SecretSealer.AssociatedData("0x" + new string('0', 40), "main", "CREASPIRE_SELF_TEST");
        var box = SecretSealer.Seal(publicKey, value, RandomNumberGenerator.GetBytes(32), associatedData);
        var opened = SecretSealer.Open(privateKey, box, associatedData);
        if (!opened.AsSpan().SequenceEqual(value))
        {
            throw new CryptographicException("a value sealed to a fresh X25519 key opened to different bytes");
        }

        return clock.Elapsed;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = Task.Run(() =>
        {
            try
            {
                logger.LogDebug("Secret sealing self-test passed in {Milliseconds:0.0} ms", Run().TotalMilliseconds);
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Secret sealing self-test failed: sealed secrets will not open on this node");
            }
        }, CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
