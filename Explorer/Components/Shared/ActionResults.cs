using CreAspire.Operations.Actions;
using CreAspire.Operations.Nodes;
using CreAspire.Operations.Registry;

namespace CreAspire.Explorer.Components.Shared;

/// <summary>Turns action outcomes and failures into what <see cref="ActionResultView"/> shows.</summary>
public static class ActionResults
{
    public static ActionResult From(DeployOutcome outcome) => new(
        outcome.ActiveEverywhere
            ? $"Deployed '{outcome.Name}' ({outcome.WorkflowId[..10]}…): active on every workflow node."
            : $"Registered '{outcome.Name}' ({outcome.WorkflowId[..10]}…), but {outcome.Nodes.Count(n => !n.Done)} of {outcome.Nodes.Count} workflow nodes do not run it:",
        outcome.ActiveEverywhere,
        outcome.Nodes.Select(Row).ToArray(),
        Link: $"/workflows/{outcome.WorkflowId}");

    public static ActionResult From(FireOutcome outcome) => new(
        outcome.FiredEverywhere
            ? $"Fired at {outcome.ScheduledTime:HH:mm:ss.fff} UTC: execution {outcome.ExecutionId[..10]}… started on every workflow node."
            : $"Fired at {outcome.ScheduledTime:HH:mm:ss.fff} UTC: {outcome.Nodes.Count(n => !n.Fired)} of {outcome.Nodes.Count} workflow nodes did not start it:",
        outcome.FiredEverywhere,
        outcome.Nodes.Select(n => new ActionNodeRow(n.Node, n.Status.ToString(), n.Detail)).ToArray());

    public static ActionResult From(LifecycleOutcome outcome) => new(
        outcome.DoneEverywhere
            ? $"{Verb(outcome.Action)} in the registry (block {outcome.Transaction.BlockNumber}); every workflow node followed."
            : $"{Verb(outcome.Action)} in the registry (block {outcome.Transaction.BlockNumber}), but {outcome.Nodes.Count(n => !n.Done)} of {outcome.Nodes.Count} workflow nodes did not follow:",
        outcome.DoneEverywhere,
        outcome.Nodes.Select(Row).ToArray());

    /// <summary>A refused or failed action; anything else is a bug and goes up.</summary>
    public static ActionResult? FromFailure(string action, Exception exception) => exception switch
    {
        ActionRejectedException rejected => new ActionResult($"{action} refused:", false, [], rejected.Message),
        RegistryOperationException registry => new ActionResult($"{action} failed in the WorkflowRegistry:", false, [], registry.Message),
        WorkflowNodeException node => new ActionResult($"{action} failed:", false, [], node.Message),
        _ => null,
    };

    private static ActionNodeRow Row(NodeOutcome n) => new(n.Node, n.State, n.Detail);

    private static string Verb(string action) => action switch
    {
        "pause" => "Paused",
        "activate" => "Activated",
        _ => "Deleted",
    };
}
