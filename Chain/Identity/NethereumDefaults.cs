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
}
