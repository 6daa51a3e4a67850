using CreAspire.Explorer.Configuration;
using CreAspire.Operations.Actions;
using CreAspire.Operations.Nodes;
using CreAspire.Operations.Registry;
using CreAspire.Operations.Samples;
using CreAspire.Explorer.Sources;

namespace CreAspire.Explorer.Apis;

/// <summary>
/// The explorer's actions for scripts (README "JSON API"). Outcomes are reported per workflow node: 200 when every node did
/// it, 207 when some did not (the body says which and why); 400 for bad input, 409 when the registry refused, 502 when the
/// chain could not be reached. Nothing is written for a 400.
/// </summary>
public static class ActionApis
{
    /// <param name="Wait">false: answer at the registration receipt (before any node has seen the workflow), for scripts that fire at once.</param>
    public sealed record DeployBody(string? Sample, string? Name, bool? Confidential, string? Schedule, string? DonFamily, bool? Wait = null);

    public static IEndpointRouteBuilder MapActionApis(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup("/api");
        api.MapGet("/samples", () => Results.Ok(SampleCatalog.All));
        api.MapPost("/workflows", (DeployBody body, WorkflowActions actions, ExplorerState state, CancellationToken ct) => RunAsync(state, async () =>
        {
            var request = new DeployRequest(body.Sample ?? "", body.Name ?? "", body.Confidential ?? false, body.Schedule ?? DeployRequest.DefaultSchedule) { DonFamily = body.DonFamily };
            if (body.Wait == false)
            {
                // Registered is all that was asked: every node is still to pick it up, so this is not a partial outcome.
                return (true, (object)await actions.RegisterAsync(request, ct));
            }

            var outcome = await actions.DeployAsync(request, ct);
            return (outcome.ActiveEverywhere, (object)outcome);
        }));
        api.MapPost("/workflows/{id}/fire", (string id, WorkflowActions actions, ExplorerState state, CancellationToken ct) => RunAsync(state, async () =>
        {
            var outcome = await actions.FireAsync(id, ct);
            return (outcome.FiredEverywhere, (object)outcome);
        }));
        api.MapPost("/workflows/{id}/pause", (string id, WorkflowActions actions, ExplorerState state, CancellationToken ct) =>
            RunAsync(state, async () => Lifecycle(await actions.PauseAsync(id, ct))));
        api.MapPost("/workflows/{id}/activate", (string id, WorkflowActions actions, ExplorerState state, CancellationToken ct) =>
            RunAsync(state, async () => Lifecycle(await actions.ActivateAsync(id, ct))));
        api.MapDelete("/workflows/{id}", (string id, WorkflowActions actions, ExplorerState state, CancellationToken ct) =>
            RunAsync(state, async () => Lifecycle(await actions.DeleteAsync(id, ct))));
        api.MapGet("/workflows", async (IRegistryReader registry, CancellationToken ct) =>
        {
            // Every workflow the WorkflowRegistry holds in the workflow DONs' families, as the registry has them.
            try
            {
                var families = (await registry.ReadTopologyAsync(ct)).WorkflowFamilies;
                var lists = await Task.WhenAll(families.Select(f => registry.ListWorkflowsAsync(f, ct)));
                return Results.Ok(lists.SelectMany(l => l).ToArray());
            }
            catch (RegistryOperationException ex)
            {
                return Results.Problem(ex.Message, statusCode: StatusCodes.Status502BadGateway, title: "Chain unreachable");
            }
        });
        api.MapGet("/workflows/{id}", async (string id, IRegistryReader registry, NodeDirectory nodes, CancellationToken ct) =>
        {
            var workflowId = NormalizeId(id);
            RegistryWorkflow? registered;
            try
            {
                registered = await registry.FindWorkflowAsync(workflowId, ct);
            }
            catch (RegistryOperationException ex)
            {
                return Results.Problem(ex.Message, statusCode: StatusCodes.Status502BadGateway, title: "Chain unreachable");
            }

            var views = await Task.WhenAll(nodes.WorkflowNodes.Select(async n => (n.Name, View: await TryAsync(() => n.GetWorkflowAsync(workflowId, ct)))));
            return registered is null && views.All(v => v.View.Value is null)
                ? Results.Problem($"Workflow {workflowId} is neither in the WorkflowRegistry nor known to any workflow node.", statusCode: 404)
                : Results.Ok(new { registry = registered, nodes = views.ToDictionary(v => v.Name, v => new { view = v.View.Value, error = v.View.Error }) });
        });
        api.MapGet("/workflows/{id}/executions", async (string id, NodeDirectory nodes, CancellationToken ct) =>
        {
            var workflowId = NormalizeId(id);
            var lists = await Task.WhenAll(nodes.WorkflowNodes.Select(async n => (n.Name, List: await TryAsync(() => n.ListExecutionsAsync(workflowId, 100, ct)))));
            return Results.Ok(lists.ToDictionary(l => l.Name, l => new { executions = l.List.Value, error = l.List.Error }));
        });
        return app;
    }

    private static (bool Everywhere, object Outcome) Lifecycle(LifecycleOutcome outcome) => (outcome.DoneEverywhere, outcome);

    private static async Task<IResult> RunAsync(ExplorerState state, Func<Task<(bool Everywhere, object Outcome)>> action)
    {
        try
        {
            var (everywhere, outcome) = await action();
            return everywhere ? Results.Ok(outcome) : Results.Json(outcome, statusCode: StatusCodes.Status207MultiStatus);
        }
        catch (ActionRejectedException ex)
        {
            return Results.Problem(ex.Message, statusCode: StatusCodes.Status400BadRequest, title: "Rejected", extensions: new Dictionary<string, object?> { ["field"] = ex.Field });
        }
        catch (RegistryOperationException ex)
        {
            return Results.Problem(ex.Message, statusCode: ex.ErrorName is null ? StatusCodes.Status502BadGateway : StatusCodes.Status409Conflict,
                title: ex.ErrorName is null ? "Chain unreachable" : "Registry refused", extensions: new Dictionary<string, object?> { ["error"] = ex.ErrorName });
        }
        finally
        {
            state.RequestRefresh();
        }
    }

    private static async Task<(T? Value, string? Error)> TryAsync<T>(Func<Task<T>> read)
    {
        try
        {
            return (await read(), null);
        }
        catch (WorkflowNodeException ex)
        {
            return (default, ex.Message);
        }
    }

    private static string NormalizeId(string id) => (id.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? id[2..] : id).ToLowerInvariant();
}
