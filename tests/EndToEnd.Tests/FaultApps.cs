using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace CreAspire.EndToEnd.Tests;

/// <summary>The default topology for the restart scenarios (each one restores what it stops or kills).</summary>
public sealed class RestartFaultApp() : CreApp();

/// <summary>The default topology with the relay nodes' wrong-answer switch (Faults:Enabled), for the quorum scenarios.</summary>
public sealed class QuorumFaultApp() : CreApp()
{
    protected override void Configure(IDistributedApplicationTestingBuilder builder)
    {
        foreach (var relay in builder.Resources.OfType<ServiceExecutableResource>().Where(r => r.Name.StartsWith("relay-", StringComparison.Ordinal)).ToList())
        {
            builder.CreateResourceBuilder(relay).WithEnvironment("Faults__Enabled", "true");
        }
    }
}
