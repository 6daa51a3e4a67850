using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Hosting;

namespace CreAspire.Hosting.Run;

/// <summary>
/// Follows every resource's console log: appends it to <c>logs/&lt;resource&gt;.log</c> in the run folder (the dashboard
/// keeps logs only while the AppHost runs) and keeps the last lines of each, for failure messages.
/// </summary>
public sealed class ResourceLogTail(ResourceNotificationService notifications, ResourceLoggerService logs, RunFolder? runFolder) : BackgroundService
{
    public const int KeptLines = 30;

    private readonly ConcurrentDictionary<string, Queue<string>> _tails = new(StringComparer.Ordinal);
    private long _linesSeen;

    /// <summary>The last lines <paramref name="resource"/> wrote (at most <paramref name="count"/>).</summary>
    public IReadOnlyList<string> LastLines(string resource, int count = 15)
    {
        if (!_tails.TryGetValue(resource, out var tail))
        {
            return [];
        }

        lock (tail)
        {
            return tail.Skip(Math.Max(0, tail.Count - count)).ToList();
        }
    }

    /// <summary>
    /// Waits until no new line has arrived for <paramref name="quiet"/> (at most <paramref name="limit"/>): a resource that
    /// fails writes its reason just before its state says so, and the lines reach this tail a moment later.
    /// </summary>
    public async Task SettleAsync(TimeSpan quiet, TimeSpan limit, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + limit;
        var seen = Interlocked.Read(ref _linesSeen);
        var quietSince = DateTime.UtcNow;
        while (DateTime.UtcNow < deadline && DateTime.UtcNow - quietSince < quiet)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(25), cancellationToken).ConfigureAwait(false);
            var now = Interlocked.Read(ref _linesSeen);
            if (now != seen)
            {
                seen = now;
                quietSince = DateTime.UtcNow;
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Resources are followed as the orchestrator reports them, not from the model when this starts: it starts from a
        // BeforeStartEvent handler, beside later handlers that still add resources (Aspire's dashboard). The logger service
        // replays what a resource wrote before it is followed.
        var folder = runFolder is null ? null : Directory.CreateDirectory(Path.Combine(runFolder.Path, "logs")).FullName;
        var followed = new Dictionary<string, Task>(StringComparer.Ordinal);
        try
        {
            await foreach (var change in notifications.WatchAsync(stoppingToken).ConfigureAwait(false))
            {
                if (!followed.ContainsKey(change.Resource.Name))
                {
                    var resource = change.Resource;
                    followed[resource.Name] = Task.Run(() => FollowAsync(resource, folder, stoppingToken), CancellationToken.None);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }

        await Task.WhenAll(followed.Values).ConfigureAwait(false);
    }

    private async Task FollowAsync(IResource resource, string? folder, CancellationToken cancellationToken)
    {
        var tail = _tails.GetOrAdd(resource.Name, _ => new Queue<string>());
        await using var file = folder is null ? null : new StreamWriter(Path.Combine(folder, resource.Name + ".log"), append: true) { AutoFlush = true };
        try
        {
            await foreach (var batch in logs.WatchAsync(resource).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                foreach (var line in batch)
                {
                    var text = line.IsErrorMessage ? "[stderr] " + line.Content : line.Content;
                    lock (tail)
                    {
                        tail.Enqueue(text);
                        while (tail.Count > KeptLines)
                        {
                            tail.Dequeue();
                        }
                    }

                    Interlocked.Increment(ref _linesSeen);

                    if (file is not null)
                    {
                        await file.WriteLineAsync(text).ConfigureAwait(false);
                    }
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // stopping
        }
    }
}
