using Aspire.Hosting.ApplicationModel;
using CreAspire.Hosting.Run;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

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
        var runFolder = RunFolder.For(builder);
        builder.Services.TryAddSingleton(options);
        builder.Services.TryAddSingleton(sp => new ResourceLogTail(
            sp.GetRequiredService<DistributedApplicationModel>(), sp.GetRequiredService<ResourceLoggerService>(), runFolder));
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ResourceLogTail>());
        builder.Services.TryAddSingleton<StartupReporter>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StartupReporter>());
        builder.Services.AddHostedService<ParentProcessWatchdog>();
        return builder;
    }
}
