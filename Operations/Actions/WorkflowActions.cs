using System.Text;
using CreAspire.Operations.Nodes;
using CreAspire.Operations.Registry;
using CreAspire.Operations.Samples;
using CreAspire.Protocol.Workflows;
using Cronos;

namespace CreAspire.Operations.Actions;

/// <summary>
/// The owner's actions on a running topology, each reported per workflow node: deploy a sample (returns once every
/// workflow node runs it, or says which did not and why), fire its cron now (never "done" unless every node started the
/// execution), pause, activate and delete through the WorkflowRegistry (waiting until every node followed). Bad input is
/// refused with <see cref="ActionRejectedException"/> before anything is written; a registry refusal comes as
/// <see cref="RegistryOperationException"/> with the contract's error, and leaves no artifacts behind.
/// </summary>
public sealed class WorkflowActions(
    IRegistryReader registry,
    IWorkflowOwnerOperations owner,
    IReadOnlyList<WorkflowNodeClient> nodes,
    SampleCatalog samples,
    ArtifactPublisher artifacts,
    ActionOptions? options = null,
    TimeProvider? clock = null)
{
    private readonly ActionOptions _options = options ?? new ActionOptions();
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public IReadOnlyList<WorkflowNodeClient> Nodes { get; } = nodes;

    public string Owner => owner.Owner;

    /// <summary>Registers the sample and waits until every workflow node runs it (or the node timeout passes).</summary>
    public async Task<DeployOutcome> DeployAsync(DeployRequest request, CancellationToken cancellationToken)
    {
        RequireNodes("deploy");
        var registered = await RegisterAsync(request, cancellationToken).ConfigureAwait(false);
        var states = await WaitForNodesAsync(registered.WorkflowId, NodeGoal.Active, cancellationToken).ConfigureAwait(false);
        return registered with { Nodes = states };
    }

    /// <summary>
    /// Validates, publishes the artifacts and registers the workflow; returns at the upsert receipt, before any node has
    /// seen it (<see cref="DeployOutcome.Nodes"/> is empty). A refused registration removes the artifacts again.
    /// </summary>
    public async Task<DeployOutcome> RegisterAsync(DeployRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var sample = SampleCatalog.Find(request.Sample?.Trim() ?? "")
            ?? throw new ActionRejectedException(
                $"'{request.Sample}' is not a sample workflow; choose one of {string.Join(", ", SampleCatalog.All.Select(s => s.Name))}.", "sample");
        var name = ValidateName(request.Name);
        var schedule = ValidateSchedule(request.Schedule);
        var family = await ResolveFamilyAsync(request.DonFamily, cancellationToken).ConfigureAwait(false);
        await EnsureNameFreeAsync(name, family, cancellationToken).ConfigureAwait(false);

        var wasmPath = samples.WasmPath(sample.Name);
        if (!File.Exists(wasmPath))
        {
            throw new ActionRejectedException($"The sample '{sample.Name}' is not built at {wasmPath}; build the solution (it compiles workflows/).", "sample");
        }

        var wasm = await File.ReadAllBytesAsync(wasmPath, cancellationToken).ConfigureAwait(false);
        var attributes = request.Confidential ? SampleCatalog.ConfidentialAttributes : [];
        var published = await artifacts.PublishAsync(name, wasm, Encoding.UTF8.GetBytes(schedule), cancellationToken).ConfigureAwait(false);
        var workflowId = Convert.ToHexStringLower(WorkflowIds.Compute(Convert.FromHexString(owner.Owner[2..]), name, published.DecodedBinary, published.Config));
        RegistryTransaction transaction;
        try
        {
            transaction = await owner.UpsertAsync(
                new WorkflowUpsert(name, _options.Tag, workflowId, family, published.BinaryUrl, published.ConfigUrl, attributes),
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            published.Delete();
            throw;
        }

        return new DeployOutcome(workflowId, name, sample.Name, owner.Owner, family, request.Confidential, schedule, published.BinaryUrl,
            published.ConfigUrl, Encoding.UTF8.GetString(attributes), transaction, []);
    }

    /// <summary>
    /// Fires the workflow's cron trigger on every workflow node with one scheduled time (so all derive one execution id)
    /// and reports each node's answer; <see cref="FireOutcome.FiredEverywhere"/> only when every node started it.
    /// </summary>
    public async Task<FireOutcome> FireAsync(string workflowId, CancellationToken cancellationToken)
    {
        RequireNodes("fire");
        var id = NormalizeId(workflowId);
        var now = _clock.GetUtcNow();
        var scheduled = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
        var answers = await Task.WhenAll(Nodes.Select(n => n.FireAsync(id, scheduled, cancellationToken))).ConfigureAwait(false);
        var triggerId = $"trigger_reg_{id}_0";
        var executionId = answers.FirstOrDefault(a => a.ExecutionId is not null)?.ExecutionId
            ?? WorkflowIds.ExecutionId(id, $"{triggerId}@{scheduled:yyyy-MM-dd'T'HH:mm:ss.fff'Z'}");
        return new FireOutcome(id, scheduled, executionId, answers);
    }

    /// <summary>
    /// Waits until every workflow node has finished execution <paramref name="executionId"/> (any status but "started"), or
    /// <paramref name="timeout"/> passed; each node's outcome, "not finished" (with what it last showed) for the others.
    /// </summary>
    public async Task<IReadOnlyList<NodeExecutionOutcome>> WaitForExecutionAsync(
        string workflowId, string executionId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        RequireNodes("wait for an execution");
        var id = NormalizeId(workflowId);
        var deadline = _clock.GetUtcNow() + timeout;
        var outcomes = new NodeExecutionOutcome?[Nodes.Count];
        while (true)
        {
            await Task.WhenAll(Nodes.Select(async (node, i) =>
            {
                if (outcomes[i] is { Finished: true })
                {
                    return;
                }

                outcomes[i] = await ObserveExecutionAsync(node, id, executionId, cancellationToken).ConfigureAwait(false);
            })).ConfigureAwait(false);

            if (outcomes.All(o => o!.Finished) || _clock.GetUtcNow() >= deadline)
            {
                return outcomes.Select(o => o!.Finished ? o : o with
                {
                    Detail = $"not finished within {timeout.TotalSeconds:0} s: {o.Detail}",
                }).ToArray();
            }

            await Task.Delay(_options.PollInterval, _clock, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<NodeExecutionOutcome> ObserveExecutionAsync(WorkflowNodeClient node, string workflowId, string executionId, CancellationToken cancellationToken)
    {
        IReadOnlyList<NodeExecution> executions;
        try
        {
            executions = await node.ListExecutionsAsync(workflowId, 50, cancellationToken).ConfigureAwait(false);
        }
        catch (WorkflowNodeException ex)
        {
            return new NodeExecutionOutcome(node.Name, "unreachable", ex.Message, null);
        }

        return executions.FirstOrDefault(e => e.ExecutionId == executionId) is { } execution
            ? new NodeExecutionOutcome(node.Name, execution.Status, execution.Error ?? "", execution)
            : new NodeExecutionOutcome(node.Name, "not recorded", "the node has no such execution yet", null);
    }

    public Task<LifecycleOutcome> PauseAsync(string workflowId, CancellationToken cancellationToken) =>
        LifecycleAsync(workflowId, "pause", RegistryWorkflowStatus.Active, NodeGoal.Paused,
            w => owner.PauseAsync(w.WorkflowId, cancellationToken), cancellationToken);

    public Task<LifecycleOutcome> ActivateAsync(string workflowId, CancellationToken cancellationToken) =>
        LifecycleAsync(workflowId, "activate", RegistryWorkflowStatus.Paused, NodeGoal.Active,
            async w => await owner.ActivateAsync(
                w.WorkflowId,
                // The 2.0.0 registry forgets a paused workflow's DON family (its view shows ""): activate it in the workflow DON's.
                w.DonFamily.Length > 0 ? w.DonFamily : await ResolveFamilyAsync(null, cancellationToken).ConfigureAwait(false),
                cancellationToken).ConfigureAwait(false), cancellationToken);

    public Task<LifecycleOutcome> DeleteAsync(string workflowId, CancellationToken cancellationToken) =>
        LifecycleAsync(workflowId, "delete", null, NodeGoal.Gone,
            w => owner.DeleteAsync(w.WorkflowId, cancellationToken), cancellationToken);

    private async Task<LifecycleOutcome> LifecycleAsync(
        string workflowId, string action, RegistryWorkflowStatus? requiredStatus, NodeGoal goal,
        Func<RegistryWorkflow, Task<RegistryTransaction>> send, CancellationToken cancellationToken)
    {
        RequireNodes(action);
        var id = NormalizeId(workflowId);
        var workflow = await registry.FindWorkflowAsync(id, cancellationToken).ConfigureAwait(false)
            ?? throw new ActionRejectedException($"The WorkflowRegistry has no workflow {id}; nothing to {action}.", "workflowId");
        if (!string.Equals(workflow.Owner, owner.Owner, StringComparison.OrdinalIgnoreCase))
        {
            throw new ActionRejectedException(
                $"Workflow {id} ('{workflow.Name}') belongs to {workflow.Owner}; these actions are sent from {owner.Owner}, so the registry would refuse to {action} it.", "workflowId");
        }

        if (requiredStatus is { } required && workflow.Status != required)
        {
            throw new ActionRejectedException($"Workflow '{workflow.Name}' is {Describe(workflow.Status)} already; nothing to {action}.", "workflowId");
        }

        var transaction = await send(workflow).ConfigureAwait(false);
        var states = await WaitForNodesAsync(id, goal, cancellationToken).ConfigureAwait(false);
        return new LifecycleOutcome(id, action, transaction, states);
    }

    /// <summary>Polls every workflow node until each reached <paramref name="goal"/>, refused the workflow for good, or the timeout passed.</summary>
    private async Task<IReadOnlyList<NodeOutcome>> WaitForNodesAsync(string workflowId, NodeGoal goal, CancellationToken cancellationToken)
    {
        var deadline = _clock.GetUtcNow() + _options.NodeTimeout;
        var outcomes = new NodeOutcome?[Nodes.Count];
        while (true)
        {
            await Task.WhenAll(Nodes.Select(async (node, i) =>
            {
                if (outcomes[i] is { } settled && (settled.Done || settled.State == "failed (permanent)"))
                {
                    return;
                }

                outcomes[i] = await ObserveAsync(node, workflowId, goal, cancellationToken).ConfigureAwait(false);
            })).ConfigureAwait(false);

            if (outcomes.All(o => o!.Done || o.State == "failed (permanent)") || _clock.GetUtcNow() >= deadline)
            {
                return outcomes.Select(o => o!.Done || o.State == "failed (permanent)" ? o : o with
                {
                    Detail = $"not {GoalText(goal)} within {_options.NodeTimeout.TotalSeconds:0} s: {o.Detail}",
                }).ToArray();
            }

            await Task.Delay(_options.PollInterval, _clock, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<NodeOutcome> ObserveAsync(WorkflowNodeClient node, string workflowId, NodeGoal goal, CancellationToken cancellationToken)
    {
        NodeWorkflowView? view;
        try
        {
            view = await node.GetWorkflowAsync(workflowId, cancellationToken).ConfigureAwait(false);
        }
        catch (WorkflowNodeException ex)
        {
            return new NodeOutcome(node.Name, false, "unreachable", ex.Message);
        }

        if (view is null)
        {
            return goal == NodeGoal.Gone
                ? new NodeOutcome(node.Name, true, "deleted", "engine stopped, rows removed")
                : new NodeOutcome(node.Name, false, "unknown", "the node has not picked the workflow up from the registry yet");
        }

        var since = view.StateSince ?? view.Updated;
        return goal switch
        {
            NodeGoal.Active when view.IsActive => new NodeOutcome(node.Name, true, "active", $"{view.Engine ?? (view.Confidential == true ? "confidential" : "wasm")} engine running", since),
            NodeGoal.Paused when view.Status == "paused" && !view.EngineRunning => new NodeOutcome(node.Name, true, "paused", "engine stopped", since),
            _ when view.Status == "failed" && view.Permanent => new NodeOutcome(node.Name, false, "failed (permanent)", view.LastError ?? "refused", since),
            _ when view.Status == "failed" => new NodeOutcome(node.Name, false, "failed", $"{view.LastError} (attempt {view.FailureCount}, retrying)", since),
            _ => new NodeOutcome(node.Name, false, view.Status, view.LastError ?? $"state {view.Status}, engine {(view.EngineRunning ? "running" : "not running")}", since),
        };
    }

    /// <summary>Without workflow nodes nothing can be confirmed, so nothing is sent.</summary>
    private void RequireNodes(string action)
    {
        if (Nodes.Count == 0)
        {
            throw new ActionRejectedException(
                $"No workflow node is configured, so '{action}' could not be confirmed on any node; give the nodes' URLs (Explorer:Nodes or the services__wf-* references).");
        }
    }

    private string ValidateName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ActionRejectedException("A workflow name is required.", "name");
        }

        if (name != name.Trim() || name.Any(char.IsControl))
        {
            throw new ActionRejectedException($"The workflow name '{name}' has leading or trailing spaces or control characters; remove them.", "name");
        }

        var bytes = Encoding.UTF8.GetByteCount(name);
        return bytes <= _options.MaxNameBytes
            ? name
            : throw new ActionRejectedException(
                $"The workflow name is {bytes} bytes long; the WorkflowRegistry allows at most {_options.MaxNameBytes} (WorkflowNameTooLong).", "name");
    }

    private static string ValidateSchedule(string? schedule)
    {
        var text = schedule?.Trim() ?? "";
        if (text.Length == 0)
        {
            throw new ActionRejectedException($"A cron schedule is required (6 fields, seconds first, e.g. \"{DeployRequest.DefaultSchedule}\").", "schedule");
        }

        try
        {
            CronExpression.Parse(text, CronFormat.IncludeSeconds);
            return text;
        }
        catch (CronFormatException ex)
        {
            throw new ActionRejectedException(
                $"'{text}' is not a 6-field cron schedule (seconds first, e.g. \"{DeployRequest.DefaultSchedule}\" or \"0 */5 * * * *\"): {ex.Message}", "schedule");
        }
    }

    private async Task<string> ResolveFamilyAsync(string? requested, CancellationToken cancellationToken)
    {
        var families = (await registry.ReadTopologyAsync(cancellationToken).ConfigureAwait(false)).WorkflowFamilies;
        if (families.Count == 0)
        {
            throw new ActionRejectedException("The CapabilitiesRegistry has no DON that accepts workflows; the registries are not set up.");
        }

        if (string.IsNullOrEmpty(requested))
        {
            return families[0];
        }

        return families.Contains(requested, StringComparer.Ordinal)
            ? requested
            : throw new ActionRejectedException($"No workflow DON is in family '{requested}'; workflow DON families are {string.Join(", ", families)}.", "donFamily");
    }

    private async Task EnsureNameFreeAsync(string name, string family, CancellationToken cancellationToken)
    {
        var existing = (await registry.ListWorkflowsAsync(family, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(w => w.Name == name && string.Equals(w.Owner, owner.Owner, StringComparison.OrdinalIgnoreCase));
        if (existing is not null)
        {
            throw new ActionRejectedException(
                $"A workflow named '{name}' is already registered by {owner.Owner} (id {existing.WorkflowId}, {Describe(existing.Status)}); choose another name or delete it first.", "name");
        }
    }

    private static string NormalizeId(string workflowId)
    {
        var id = (workflowId ?? "").Trim();
        id = id.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? id[2..] : id;
        return id.Length == 64 && id.All(Uri.IsHexDigit)
            ? id.ToLowerInvariant()
            : throw new ActionRejectedException($"'{workflowId}' is not a workflow id (64 hex characters).", "workflowId");
    }

    private static string Describe(RegistryWorkflowStatus status) => status == RegistryWorkflowStatus.Paused ? "paused" : "active";

    private static string GoalText(NodeGoal goal) => goal switch
    {
        NodeGoal.Active => "active",
        NodeGoal.Paused => "paused",
        _ => "removed",
    };

    private enum NodeGoal
    {
        Active,
        Paused,
        Gone,
    }
}
