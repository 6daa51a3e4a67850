using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace CreAspire.Enclave.Workflows;

/// <summary>One workflow run as GET /executions reports it.</summary>
public sealed record ExecutionEntry(string ExecutionId, string WorkflowId, string RequestHash, DateTimeOffset StartedAt, string Status, string? Error);

/// <summary>Counts module runs (so tests can assert "ran once") and keeps the most recent ones; also a metric.</summary>
public sealed class ExecutionLog : IDisposable
{
    public const string MeterName = "CreAspire.Enclave";
    private const int Capacity = 256;

    private readonly ConcurrentQueue<ExecutionEntry> _recent = new();
    private readonly Meter _meter = new(MeterName);
    private readonly Counter<long> _runs;
    private long _count;

    public ExecutionLog()
    {
        _runs = _meter.CreateCounter<long>("creaspire.enclave.executions", description: "Workflow runs started by the enclave");
    }

    public long Count => Interlocked.Read(ref _count);

    public IReadOnlyList<ExecutionEntry> Recent => _recent.ToArray();

    public void Record(ExecutionEntry entry)
    {
        if (entry.Status == "started")
        {
            Interlocked.Increment(ref _count);
            _runs.Add(1);
        }

        _recent.Enqueue(entry);
        while (_recent.Count > Capacity && _recent.TryDequeue(out _))
        {
        }
    }

    public void Dispose() => _meter.Dispose();
}
