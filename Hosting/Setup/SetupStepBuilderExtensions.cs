using System.Collections.Immutable;
using Aspire.Hosting.ApplicationModel;
using CreAspire.Hosting.Run;
using CreAspire.Hosting.Setup;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Aspire.Hosting;

/// <summary>AddSetupStep: a one-shot in-process step whose state, outputs and errors show in the dashboard.</summary>
public static class SetupStepBuilderExtensions
{
    public const string ResourceType = "SetupStep";

    public static IResourceBuilder<SetupStepResource> AddSetupStep(
        this IDistributedApplicationBuilder builder, [ResourceName] string name, Func<SetupStepContext, CancellationToken, Task> run)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(run);
        var step = new SetupStepResource(name, run);
        var runDirectory = builder.ExecutionContext.IsRunMode ? RunFolder.For(builder).Path : "";
        builder.Eventing.Subscribe<InitializeResourceEvent>(step, (e, _1) =>
        {
            var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            _ = Task.Run(() => RunStepAsync(step, e, runDirectory, stopping), CancellationToken.None);
            return Task.CompletedTask;
        });
        return builder.AddResource(step)
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = ResourceType,
                State = KnownResourceStates.NotStarted,
                Properties = [],
            })
            .WithIconName("Wrench")
            .ExcludeFromManifest();
    }

    private static async Task RunStepAsync(SetupStepResource step, InitializeResourceEvent e, string runDirectory, CancellationToken cancellationToken)
    {
        var log = e.Logger;
        var notifications = e.Notifications;
        try
        {
            await notifications.PublishUpdateAsync(step, s => s with { State = KnownResourceStates.Waiting }).ConfigureAwait(false);
            await notifications.WaitForDependenciesAsync(step, cancellationToken).ConfigureAwait(false);
            await e.Eventing.PublishAsync(new BeforeResourceStartedEvent(step, e.Services), cancellationToken).ConfigureAwait(false);
            await notifications.PublishUpdateAsync(step, s => s with
            {
                State = new ResourceStateSnapshot(KnownResourceStates.Running, KnownResourceStateStyles.Info),
                StartTimeStamp = DateTime.UtcNow,
            }).ConfigureAwait(false);

            await step.Run(new SetupStepContext(step, log, runDirectory, e.Services), cancellationToken).ConfigureAwait(false);

            await notifications.PublishUpdateAsync(step, s => s with
            {
                State = new ResourceStateSnapshot(KnownResourceStates.Finished, KnownResourceStateStyles.Success),
                ExitCode = 0,
                StopTimeStamp = DateTime.UtcNow,
                Properties = OutputProperties(step, s.Properties),
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The app is stopping.
        }
        catch (Exception ex)
        {
            log.LogError("The '{Step}' step failed: {Reason}", step.Name, ex.Message);
            log.LogDebug(ex, "The '{Step}' step failed.", step.Name);
            await notifications.PublishUpdateAsync(step, s => s with
            {
                State = new ResourceStateSnapshot(KnownResourceStates.FailedToStart, KnownResourceStateStyles.Error),
                ExitCode = 1,
                StopTimeStamp = DateTime.UtcNow,
                Properties = s.Properties.Add(new ResourcePropertySnapshot("setup.error", ex.Message)),
            }).ConfigureAwait(false);
        }
    }

    private static ImmutableArray<ResourcePropertySnapshot> OutputProperties(SetupStepResource step, ImmutableArray<ResourcePropertySnapshot> existing) =>
        existing.AddRange(step.Outputs.OrderBy(o => o.Key, StringComparer.Ordinal)
            .Select(o => new ResourcePropertySnapshot("output." + o.Key, o.Value.Length > 200 ? o.Value[..200] + "…" : o.Value)));
}

/// <summary>WithOutputs: a setup step's outputs as environment variables of a dependent.</summary>
public static class SetupStepOutputExtensions
{
    /// <summary>Passes <paramref name="step"/>'s outputs as environment variables (variable name → output key); use after WaitForCompletion(step).</summary>
    public static IResourceBuilder<T> WithOutputs<T>(
        this IResourceBuilder<T> builder, IResourceBuilder<SetupStepResource> step, IReadOnlyDictionary<string, string> variableToOutputKey)
        where T : IResourceWithEnvironment
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(step);
        ArgumentNullException.ThrowIfNull(variableToOutputKey);
        var map = variableToOutputKey.ToDictionary();
        return builder.WithEnvironment(context =>
        {
            foreach (var (variable, key) in map)
            {
                context.EnvironmentVariables[variable] = context.ExecutionContext.IsPublishMode
                    ? $"{{{step.Resource.Name}.outputs.{key}}}"
                    : step.Resource.GetOutput(key);
            }
        });
    }
}
