using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using CreAspire.Telemetry.Testing;

namespace CreAspire.EndToEnd.Tests;

/// <summary>
/// The default topology with every service exporting OTLP (traces, metrics, logs) to an in-test receiver instead of a
/// dashboard: each service's OTEL_EXPORTER_OTLP_ENDPOINT, protocol and short export intervals are the receiver's, and its
/// service.name is its resource name (wf-0, relay-2, cap-1, gateway, enclave), so a test reads which node emitted a span.
/// </summary>
public sealed class TracedTopologyApp : CreApp
{
    public OtlpReceiver Receiver { get; private set; } = null!;

    protected override Task<IDistributedApplicationTestingBuilder> CreateBuilderAsync(string[] args) =>
        DistributedApplicationTestingBuilder.CreateAsync<Projects.CreAspire_AppHost>([.. args, "--telemetry", "true"]);

    protected override async Task ConfigureAsync(IDistributedApplicationTestingBuilder builder)
    {
        Receiver = await OtlpReceiver.StartAsync();
        foreach (var service in builder.Resources.OfType<ServiceExecutableResource>())
        {
            // Runs after the AppHost's own environment callbacks, so these values win.
            service.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
            {
                foreach (var (key, value) in Receiver.ExporterEnvironment(service.Name))
                {
                    context.EnvironmentVariables[key] = value;
                }
            }));
        }
    }

    protected override async Task StoppedAsync()
    {
        if (Receiver is not null)
        {
            await Receiver.DisposeAsync();
        }
    }
}
