using CreAspire.Attestation.Testing;
using CreAspire.Hosting.Setup;
using Microsoft.Extensions.Logging;

namespace CreAspire.AppHost.Topology;

/// <summary>
/// The `enclave-identity` setup step: creates the simulated Nitro Secure Module (P-384 root, PCRs) in the run folder.
/// The enclave loads it; relay nodes trust exactly its CA root and PCR set (ARCHITECTURE §7: published by the AppHost).
/// </summary>
internal static class EnclaveIdentityStep
{
    public const string DirectoryOutput = "IdentityDirectory";
    public const string TrustedPcrsOutput = "TrustedPcrs";
    public const string CaRootsPemOutput = "CaRootsPem";

    public static Task RunAsync(SetupStepContext context, CancellationToken cancellationToken)
    {
        var directory = Path.Combine(context.RunDirectory, "enclave-identity");
        Directory.CreateDirectory(directory);
        using var identity = FakeNitroIdentity.Create("creaspire-enclave");
        identity.SaveTo(directory);
        context.SetOutput(DirectoryOutput, directory);
        context.SetOutput(TrustedPcrsOutput, identity.TrustedPcrsJson);
        context.SetOutput(CaRootsPemOutput, identity.CaRootsPem);
        context.Log.LogInformation("Fake Nitro identity {ModuleId} written to {Directory}; trusted PCRs {Pcrs}", identity.ModuleId, directory, identity.TrustedPcrsJson);
        return Task.CompletedTask;
    }
}
