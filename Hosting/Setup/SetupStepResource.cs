using System.Collections.Concurrent;
using CreAspire.Hosting.Setup;

namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// A one-shot step the AppHost runs in its own process once its waits are met (deploy the registries, create an identity):
/// Waiting → Running → Finished (exit code 0) with its outputs as properties, or FailedToStart (exit code 1) with the
/// reason in its log. Dependents use <c>WaitForCompletion(step)</c> and read outputs in environment callbacks.
/// </summary>
public sealed class SetupStepResource(string name, Func<SetupStepContext, CancellationToken, Task> run)
    : Resource(name), IResourceWithWaitSupport
{
    private readonly ConcurrentDictionary<string, string> _outputs = new(StringComparer.Ordinal);

    internal Func<SetupStepContext, CancellationToken, Task> Run { get; } = run ?? throw new ArgumentNullException(nameof(run));

    public IReadOnlyDictionary<string, string> Outputs => _outputs;

    /// <summary>An output the step set; throws a sentence naming the step and the key when it has not (yet).</summary>
    public string GetOutput(string key) => _outputs.TryGetValue(key, out var value)
        ? value
        : throw new DistributedApplicationException(
            $"The '{Name}' resource has no output '{key}'. Outputs exist once it finished; wait with WaitForCompletion({Name}).");

    internal void SetOutput(string key, string value) => _outputs[key] = value;
}
