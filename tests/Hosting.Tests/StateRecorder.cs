using System.Collections.Concurrent;

namespace CreAspire.Hosting.Tests;

/// <summary>Records every (resource, state) change in the order the notification service published them.</summary>
internal sealed class StateRecorder
{
    private readonly ConcurrentQueue<(string Name, string State)> _changes = new();

    public StateRecorder(DistributedApplication app) =>
        app.ResourceNotifications.Changed += (change, previous) =>
        {
            if (previous?.State != change.Snapshot.State)
            {
                _changes.Enqueue((change.Snapshot.Name, change.Snapshot.State));
            }
        };

    public IReadOnlyList<(string Name, string State)> Changes => [.. _changes];

    public int IndexOf(string name, string state)
    {
        var changes = Changes;
        for (var i = 0; i < changes.Count; i++)
        {
            if (changes[i] == (name, state))
            {
                return i;
            }
        }

        throw new Xunit.Sdk.XunitException($"'{name}' never reached {state}; changes: {string.Join(", ", changes.Select(c => $"{c.Name}:{c.State}"))}");
    }

    public IReadOnlyList<string> StatesOf(string name) => Changes.Where(c => c.Name == name).Select(c => c.State).ToList();
}
