using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Google.Protobuf.WellKnownTypes;

namespace CreAspire.Execution.Triggers;

/// <summary>One event of a trigger. <see cref="EventId"/> is identical on every node of the DON for the same event.</summary>
public sealed record TriggerEvent(string TriggerId, string EventId, Any Payload);

/// <summary>A workflow's subscription to a trigger capability (one per TriggerSubscription the module returned).</summary>
public sealed record TriggerRegistration(
    string TriggerId,
    string WorkflowId,
    int SubscriptionIndex,
    string Method,
    Any? Config,
    Func<TriggerEvent, CancellationToken, Task> OnEvent)
{
    /// <summary>The engine's trigger id for subscription <paramref name="index"/>: "trigger_reg_&lt;workflowId&gt;_&lt;index&gt;".</summary>
    public static string TriggerIdFor(string workflowId, int index) => $"trigger_reg_{workflowId}_{index}";
}

/// <summary>A trigger capability (e.g. cron-trigger@1.0.0): workflows register, the trigger calls them back per event.</summary>
public interface ITriggerCapability
{
    string Id { get; }

    /// <summary>Throws <see cref="ArgumentException"/> when the registration's config is invalid for this trigger.</summary>
    Task RegisterAsync(TriggerRegistration registration, CancellationToken cancellationToken);

    Task UnregisterAsync(string triggerId, CancellationToken cancellationToken);
}

/// <summary>The trigger capabilities a node offers, by id.</summary>
public interface ITriggerRegistry
{
    IReadOnlyCollection<string> Ids { get; }

    void AddOrReplace(ITriggerCapability trigger);

    bool TryGet(string id, [NotNullWhen(true)] out ITriggerCapability? trigger);
}

/// <summary>Thread-safe <see cref="ITriggerRegistry"/>.</summary>
public sealed class TriggerRegistry : ITriggerRegistry
{
    private readonly ConcurrentDictionary<string, ITriggerCapability> _triggers = new(StringComparer.Ordinal);

    public TriggerRegistry(params IEnumerable<ITriggerCapability> triggers)
    {
        foreach (var trigger in triggers)
        {
            AddOrReplace(trigger);
        }
    }

    public IReadOnlyCollection<string> Ids => _triggers.Keys.Order(StringComparer.Ordinal).ToArray();

    public void AddOrReplace(ITriggerCapability trigger)
    {
        ArgumentNullException.ThrowIfNull(trigger);
        _triggers[trigger.Id] = trigger;
    }

    public bool TryGet(string id, [NotNullWhen(true)] out ITriggerCapability? trigger) => _triggers.TryGetValue(id, out trigger);
}
