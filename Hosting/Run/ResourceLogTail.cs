using System.Collections.Concurrent;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Hosting;

namespace CreAspire.Hosting.Run;

/// <summary>
/// Follows every resource's console log: appends it to <c>logs/&lt;resource&gt;.log</c> in the run folder (the dashboard
/// keeps logs only while the AppHost runs) and keeps the last lines of each, for failure messages.
/// </summary>
public sealed class ResourceLogTail(DistributedApplicationModel model, ResourceLoggerService logs, RunFolder? runFolder) : BackgroundService
{
    public const int KeptLines = 30;

    private readonly ConcurrentDictionary<string, Queue<string>> _tails = new(StringComparer.Ordinal);

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

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var folder = runFolder is null ? null : Directory.CreateDirectory(Path.Combine(runFolder.Path, "logs")).FullName;
        return Task.WhenAll(model.Resources.Select(resource => Task.Run(() => FollowAsync(resource, folder, stoppingToken), CancellationToken.None)));
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
