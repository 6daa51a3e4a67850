using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using CreAspire.Execution.Contracts;

namespace CreAspire.WorkflowNode.Syncer;

/// <summary>A running engine and how its workflow was routed.</summary>
public sealed record RunningWorkflow(string WorkflowId, (string Owner, string Name, string Tag) Key, IWorkflowEngine Engine, bool Confidential);

/// <summary>The node's running engines, keyed by workflow id: at most one engine per workflow id. The syncer writes; anyone reads.</summary>
public sealed class WorkflowEngineRegistry
{
    private readonly ConcurrentDictionary<string, RunningWorkflow> _running = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> WorkflowIds => _running.Keys.Order(StringComparer.Ordinal).ToArray();

    public int Count => _running.Count;

    public bool TryGet(string workflowId, [NotNullWhen(true)] out RunningWorkflow? running) => _running.TryGetValue(workflowId, out running);

    internal void Add(RunningWorkflow running)
    {
        if (!_running.TryAdd(running.WorkflowId, running))
        {
            throw new InvalidOperationException($"an engine for workflow {running.WorkflowId} is already running; the syncer must stop it first");
        }
    }

    internal bool TryRemove(string workflowId, [NotNullWhen(true)] out RunningWorkflow? running) => _running.TryRemove(workflowId, out running);
}
