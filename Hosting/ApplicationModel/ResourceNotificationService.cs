using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace CreAspire.Hosting.ApplicationModel;

/// <summary>
/// Owns every resource's current snapshot. Publishers pass a function of the previous snapshot; every wait is a predicate over
/// the stream of snapshots.
/// </summary>
public sealed class ResourceNotificationService
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (IResource Resource, ResourceSnapshot Snapshot)> _current = new(StringComparer.Ordinal);
    private readonly List<Channel<ResourceEvent>> _watchers = [];

    /// <summary>Raised (outside the lock) after each change; used by the console and state logging.</summary>
    public event Action<ResourceEvent, ResourceSnapshot?>? Changed;

    public void Register(IResource resource, string kind, string? parent)
    {
        lock (_gate)
        {
            _current[resource.Name] = (resource, new ResourceSnapshot { Name = resource.Name, Kind = kind, Parent = parent });
        }
    }

    public IReadOnlyList<ResourceSnapshot> GetSnapshots()
    {
        lock (_gate)
        {
            return _current.Values.Select(v => v.Snapshot).ToList();
        }
    }

    public ResourceSnapshot GetSnapshot(string name)
    {
        lock (_gate)
        {
            return _current.TryGetValue(name, out var entry)
                ? entry.Snapshot
                : throw new DistributedApplicationException($"The '{name}' resource does not exist in this app.");
        }
    }

    public Task PublishUpdateAsync(IResource resource, Func<ResourceSnapshot, ResourceSnapshot> update)
    {
        ResourceEvent changed;
        ResourceSnapshot previous;
        Channel<ResourceEvent>[] watchers;
        lock (_gate)
        {
            previous = _current[resource.Name].Snapshot;
            var next = update(previous) with { Version = previous.Version + 1, Name = previous.Name, Kind = previous.Kind };
            _current[resource.Name] = (resource, next);
            changed = new ResourceEvent(resource, next);
            watchers = [.. _watchers];
        }

        foreach (var watcher in watchers)
        {
            watcher.Writer.TryWrite(changed);
        }

        Changed?.Invoke(changed, previous);
        return Task.CompletedTask;
    }

    /// <summary>The current snapshot of every resource, then every change, until cancelled.</summary>
    public async IAsyncEnumerable<ResourceEvent> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<ResourceEvent>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            foreach (var (resource, snapshot) in _current.Values)
            {
                channel.Writer.TryWrite(new ResourceEvent(resource, snapshot));
            }

            _watchers.Add(channel);
        }

        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            lock (_gate)
            {
                _watchers.Remove(channel);
            }
        }
    }

    /// <summary>Waits until the resource's snapshot satisfies <paramref name="predicate"/>.</summary>
    public async Task<ResourceSnapshot> WaitForResourceAsync(
        string name, Func<ResourceSnapshot, bool> predicate, string goal, CancellationToken cancellationToken = default)
    {
        GetSnapshot(name);
        try
        {
            await foreach (var change in WatchAsync(cancellationToken).ConfigureAwait(false))
            {
                if (change.Snapshot.Name == name && predicate(change.Snapshot))
                {
                    return change.Snapshot;
                }
            }
        }
        catch (OperationCanceledException ex)
        {
            var last = GetSnapshot(name);
            throw new DistributedApplicationException(
                $"The '{name}' resource did not {goal} before the operation was cancelled (its state is {last.State}{Reason(last)}).", ex);
        }

        throw new DistributedApplicationException($"The '{name}' resource did not {goal}.");
    }

    public Task<ResourceSnapshot> WaitForResourceAsync(string name, string targetState, CancellationToken cancellationToken = default) =>
        WaitForResourceAsync(name, s => s.State == targetState, $"reach the state {targetState}", cancellationToken);

    /// <summary>Waits until the resource is Healthy; fails at once if it reached a terminal state instead.</summary>
    public async Task<ResourceSnapshot> WaitForResourceHealthyAsync(string name, CancellationToken cancellationToken = default)
    {
        var snapshot = await WaitForResourceAsync(
            name, s => KnownResourceStates.IsReady(s.State) || KnownResourceStates.IsTerminal(s.State), "become healthy", cancellationToken)
            .ConfigureAwait(false);
        return KnownResourceStates.IsReady(snapshot.State)
            ? snapshot
            : throw new DistributedApplicationException($"The '{name}' resource will not become healthy: it is {snapshot.State}{Reason(snapshot)}.");
    }

    internal static string Reason(ResourceSnapshot s) =>
        (s.ExitCode is { } code ? $", exit code {code}" : "") + (s.Message is { Length: > 0 } m ? $": {m}" : "");
}
