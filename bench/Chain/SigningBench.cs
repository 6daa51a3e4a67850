using System.Diagnostics;
using System.Globalization;
using CreAspire.Chain.Identity;
using Nethereum.Hex.HexConvertors.Extensions;
using Nethereum.Signer;

namespace CreAspire.Chain.Bench;

/// <summary>
/// EIP-191 sign and recover, µs per operation, through <see cref="PersonalMessages"/> (Nethereum's hex signature turned into
/// the protocol's 65 bytes) and through the Nethereum alternatives a call site could use instead: the hex string as
/// Nethereum returns it (no conversion at all), and Nethereum's signature components (<see cref="EthECDSASignature"/> R, S, V).
/// Also Nethereum's default signing path (<see cref="EthECKey.SignRecoverable"/> off), which NethereumDefaults switches away from.
/// </summary>
internal static class SigningBench
{
    private static readonly EthereumMessageSigner Signer = new();

    public static IEnumerable<string> Rows(int samples, int operationsPerSample)
    {
        var key = NodeKeys.Derive("bench", "signer").SigningKey;
        var message = new byte[32];
        Random.Shared.NextBytes(message);
        var signature = PersonalMessages.Sign(key, message);
        var hexSignature = signature.ToHex(true);
        var expected = PersonalMessages.RecoverSigner(message, signature)!;

        // Sign and recover variants run in alternation, sample by sample, so machine noise falls on each alike.
        return Measure(samples, operationsPerSample,
        [
            ("sign EIP-191: PersonalMessages.Sign (Nethereum hex → 65 bytes)", 1, () => PersonalMessages.Sign(key, message)),
            ("sign EIP-191: Nethereum EthereumMessageSigner.Sign (hex string, no conversion)", 1, () => Signer.Sign(message, key)),
            ("sign EIP-191: Nethereum SignAndCalculateV components (R ‖ S ‖ V)", 1, () => SignFromComponents(key, message)),
            ("sign EIP-191: Nethereum default path (SignRecoverable = false)", 10, () => SignWithDefaultPath(key, message)),
            ("recover EIP-191: PersonalMessages.RecoverSigner (65 bytes → address)", 1, () => Check(PersonalMessages.RecoverSigner(message, signature), expected)),
            ("recover EIP-191: Nethereum EthereumMessageSigner.EcRecover (hex string)", 1, () => Check(Signer.EcRecover(message, hexSignature).ToLowerInvariant(), expected)),
            ("recover EIP-191: Nethereum RecoverFromSignature (components)", 1, () => Check(RecoverFromComponents(message, signature), expected)),
        ]);
    }

    private static string SignWithDefaultPath(EthECKey key, byte[] message)
    {
        EthECKey.SignRecoverable = false;
        try
        {
            return Signer.Sign(message, key);
        }
        finally
        {
            EthECKey.SignRecoverable = true;
        }
    }

    private static byte[] SignFromComponents(EthECKey key, byte[] message)
    {
        var signature = key.SignAndCalculateV(Signer.HashPrefixedMessage(message));
        var bytes = new byte[65];
        signature.R.CopyTo(bytes.AsSpan(32 - signature.R.Length));
        signature.S.CopyTo(bytes.AsSpan(64 - signature.S.Length));
        bytes[64] = signature.V[0];
        return bytes;
    }

    private static string RecoverFromComponents(byte[] message, byte[] signature)
    {
        var components = EthECDSASignatureFactory.FromComponents(signature[..32], signature[32..64], signature[64]);
        return EthECKey.RecoverFromSignature(components, Signer.HashPrefixedMessage(message)).GetPublicAddress().ToLowerInvariant();
    }

    private static string Check(string? recovered, string expected) => recovered == expected
        ? recovered
        : throw new InvalidOperationException($"recovered {recovered}, expected {expected}");

    /// <summary>Per variant: warm-up, then <paramref name="samples"/> timed batches (fewer operations for slow variants).</summary>
    private static IEnumerable<string> Measure(int samples, int operationsPerSample, (string Metric, int Slowdown, Func<object> Operation)[] variants)
    {
        var perOperation = variants.Select(_ => new List<double>(samples)).ToArray();
        foreach (var (_, slowdown, operation) in variants)
        {
            for (var i = 0; i < Math.Max(20, operationsPerSample / 4 / slowdown); i++)
            {
                operation();
            }
        }

        for (var s = 0; s < samples; s++)
        {
            for (var v = 0; v < variants.Length; v++)
            {
                var (_, slowdown, operation) = variants[v];
                var count = Math.Max(1, operationsPerSample / slowdown);
                var stopwatch = Stopwatch.StartNew();
                for (var i = 0; i < count; i++)
                {
                    operation();
                }

                perOperation[v].Add(stopwatch.Elapsed.TotalMicroseconds / count);
            }
        }

        for (var v = 0; v < variants.Length; v++)
        {
            var sorted = perOperation[v].Order().ToList();
            yield return string.Create(CultureInfo.InvariantCulture,
                $"| {variants[v].Metric}, µs/op | {sorted[0]:0.0} | {sorted[sorted.Count / 2]:0.0} | {sorted[^1]:0.0} | (informational) |");
        }
    }
}
