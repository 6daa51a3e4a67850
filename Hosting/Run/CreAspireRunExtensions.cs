using Aspire.Hosting.ApplicationModel;
using CreAspire.Hosting.Run;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Aspire.Hosting;

/// <summary>AddRunReporting: the run folder, resource log files, and the start-up report (all up, or which resource failed and why).</summary>
public static class CreAspireRunExtensions
{
    public static IDistributedApplicationBuilder AddRunReporting(this IDistributedApplicationBuilder builder, Action<StartupReporterOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!builder.ExecutionContext.IsRunMode)
        {
            return builder;
        }

        var options = new StartupReporterOptions();
        if (builder.Configuration["startup-timeout"] is { Length: > 0 } seconds)
        {
            options.Timeout = TimeSpan.FromSeconds(double.Parse(seconds, System.Globalization.CultureInfo.InvariantCulture));
        }

        configure?.Invoke(options);
        ParentDeathSignal.UseParentDeathSignals(builder);
        var runFolder = RunFolder.For(builder);
        options.RunFolder ??= runFolder.Path;
        builder.Services.TryAddSingleton(options);
        builder.Services.TryAddSingleton(sp => new ResourceLogTail(
            sp.GetRequiredService<ResourceNotificationService>(), sp.GetRequiredService<ResourceLoggerService>(), runFolder));
        builder.Services.TryAddSingleton<StartupReporter>();
        builder.Services.TryAddSingleton<ParentProcessWatchdog>();

        // Started from BeforeStartEvent, not as hosted services: the host starts hosted services one after the other, and
        // Aspire's orchestrator service returns from its start only once every resource was created (after their waits),
        // so a hosted service registered here would start watching the start-up after it is over.
        builder.Eventing.Subscribe<BeforeStartEvent>(async (e, ct) =>
        {
            var lifetime = e.Services.GetRequiredService<IHostApplicationLifetime>();
            foreach (var service in new IHostedService[]
                     {
                         e.Services.GetRequiredService<ResourceLogTail>(), e.Services.GetRequiredService<StartupReporter>(),
                         e.Services.GetRequiredService<ParentProcessWatchdog>(),
                     })
            {
                await service.StartAsync(ct).ConfigureAwait(false);
                lifetime.ApplicationStopping.Register(() => service.StopAsync(CancellationToken.None).GetAwaiter().GetResult());
            }
        });
        return builder;
    }
}
