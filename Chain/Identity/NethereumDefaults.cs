using System.Runtime.CompilerServices;
using Nethereum.Signer;

namespace CreAspire.Chain.Identity;

internal static class NethereumDefaults
{
    /// <summary>
    /// Every signature in every CreAspire process is made by Nethereum's <see cref="EthECKey"/>, whose default signing path
    /// finds the recovery id by trial recoveries (~3.3 ms a signature here); the recoverable path (libsecp256k1 via
    /// NBitcoin.Secp256k1) is ~10x faster and gives the same low-s signatures. It is a process-wide static, so it is set
    /// when this assembly loads, before anything can sign.
    /// </summary>
#pragma warning disable CA2255 // a library module initializer on purpose: see above
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Apply() => EthECKey.SignRecoverable = true;

    /// <summary>
    /// True when <paramref name="key"/>'s private key starts with a zero byte, which the recoverable path cannot sign with
    /// (see <see cref="PersonalMessages"/>); <paramref name="privateKey"/> is then the full 32-byte key.
    /// </summary>
    internal static bool HasLeadingZeroByte(EthECKey key, out byte[] privateKey)
    {
        var bytes = key.GetPrivateKeyAsBytes();
        if (bytes.Length >= 32)
        {
            privateKey = [];
            return false;
        }

        privateKey = new byte[32];
        bytes.CopyTo(privateKey.AsSpan(32 - bytes.Length));
        return true;
    }
}
