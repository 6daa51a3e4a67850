using CreAspire.Chain.Registries;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Capabilities;
using CreAspire.WorkflowNode.Fetcher;
using CreAspire.WorkflowNode.Routing;
using CreAspire.WorkflowNode.Store;
using CreAspire.WorkflowNode.Syncer;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CreAspire.WorkflowNode.Extensions;

/// <summary>The workflow node's services: store, fetcher, routing, syncer, with options validated at start.</summary>
public static class ApplicationServiceExtensions
{
    /// <summary>The HttpClient name the HTTP artifact fetcher uses.</summary>
    public const string ArtifactsHttpClient = "artifacts";

    /// <summary>
    /// Registers everything the node owns. The node also needs <see cref="IWorkflowRegistryReader"/>,
    /// <see cref="IWorkflowModuleFactory"/> and <see cref="IWorkflowEngineFactory"/> from the chain and execution
    /// components (register them before or after this call); start fails with a message naming any that are missing.
    /// <see cref="ICapabilityRegistry"/> defaults to an empty <see cref="CapabilityRegistry"/> the launcher fills.
    /// </summary>
    public static IHostApplicationBuilder AddApplicationServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.AddNodeDatabase(typeof(WorkflowStore).Assembly);
        var services = builder.Services;

        services.AddOptions<SyncerOptions>().BindConfiguration(SyncerOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EngineOptions>().BindConfiguration(EngineOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<FetcherOptions>().BindConfiguration(FetcherOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<SyncerOptions>, SyncerOptionsValidator>();
        services.AddSingleton<IValidateOptions<FetcherOptions>, FetcherOptionsValidator>();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICapabilityRegistry, CapabilityRegistry>();

        services.AddSingleton<WorkflowStore>();
        services.AddSingleton<PostgresExecutionStore>();
        services.AddSingleton<SignallingExecutionStore>();
        services.TryAddSingleton<IExecutionStore>(sp => sp.GetRequiredService<SignallingExecutionStore>());
        // After the migrations (AddNodeDatabase's hosted service), before the syncer starts any engine.
        services.AddHostedService<AbandonedExecutions>();
        services.AddHostedService<CreAspire.Protocol.Secrets.SecretSealerSelfTest>();

        services.AddHttpClient(ArtifactsHttpClient);
        services.TryAddSingleton<IArtifactFetcher>(CreateFetcher);

        services.AddSingleton<WorkflowModuleRouter>();
        services.AddSingleton<WorkflowActivator>();
        services.AddSingleton<WorkflowEngineRegistry>();
        services.AddSingleton<WorkflowRegistrySyncer>();
        services.AddHostedService(sp =>
        {
            EnsureBindingsRegistered(sp.GetRequiredService<IServiceProviderIsService>());
            return sp.GetRequiredService<WorkflowRegistrySyncer>();
        });
        return builder;
    }

    /// <summary>The services the chain and execution components provide; without them the node cannot sync or run workflows.</summary>
    public static IReadOnlyList<Type> RequiredBindings { get; } = [typeof(IWorkflowRegistryReader), typeof(IWorkflowModuleFactory), typeof(IWorkflowEngineFactory)];

    private static void EnsureBindingsRegistered(IServiceProviderIsService services)
    {
        var missing = RequiredBindings.Where(t => !services.IsService(t)).Select(t => t.Name).ToList();
        if (missing.Count > 0)
        {
            throw new InvalidOperationException(
                $"The workflow node needs {string.Join(", ", missing)} registered in DI (the WorkflowRegistry binding and the " +
                "execution engine's factories); register them in Program.cs next to AddApplicationServices.");
        }
    }

    private static IArtifactFetcher CreateFetcher(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<FetcherOptions>>().Value;
        return options.Mode == "http"
            ? new HttpArtifactFetcher(services.GetRequiredService<IHttpClientFactory>().CreateClient(ArtifactsHttpClient), options.MaxArtifactBytes, options.HttpTimeout)
            : new FileArtifactFetcher(options.BasePath!, options.MaxArtifactBytes);
    }

    /// <summary>Checks the syncer's intervals.</summary>
    private sealed class SyncerOptionsValidator : IValidateOptions<SyncerOptions>
    {
        public ValidateOptionsResult Validate(string? name, SyncerOptions options)
        {
            var failures = new List<string>();
            if (options.PollInterval <= TimeSpan.Zero)
            {
                failures.Add($"Syncer:PollInterval must be positive (was {options.PollInterval}).");
            }

            if (options.RetryInitialDelay <= TimeSpan.Zero || options.RetryMaxDelay < options.RetryInitialDelay)
            {
                failures.Add($"Syncer:RetryInitialDelay must be positive and at most Syncer:RetryMaxDelay (were {options.RetryInitialDelay} and {options.RetryMaxDelay}).");
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }

    private sealed class FetcherOptionsValidator : IValidateOptions<FetcherOptions>
    {
        public ValidateOptionsResult Validate(string? name, FetcherOptions options)
        {
            if (options.Mode == "file" && (string.IsNullOrWhiteSpace(options.BasePath) || !Directory.Exists(options.BasePath)))
            {
                return ValidateOptionsResult.Fail(
                    $"Fetcher:BasePath '{options.BasePath}' must be an existing folder when Fetcher:Mode is 'file' (the folder the artifacts server serves).");
            }

            return options.HttpTimeout <= TimeSpan.Zero
                ? ValidateOptionsResult.Fail($"Fetcher:HttpTimeout must be positive (was {options.HttpTimeout}).")
                : ValidateOptionsResult.Success;
        }
    }
}
