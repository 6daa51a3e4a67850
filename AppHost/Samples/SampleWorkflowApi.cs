using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CreAspire.AppHost.Topology;
using CreAspire.Hosting;
using CreAspire.Hosting.ApplicationModel;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace CreAspire.AppHost.Samples;

/// <summary>
/// Dashboard actions for trying the system by hand: deploy a sample workflow, fire it on every workflow node at one
/// scheduled time, and list what each node recorded.
///   POST /api/samples/{sample}/deploy?confidential=true&amp;name=my-wf&amp;schedule=*/30 * * * * *
///   POST /api/workflows/{id}/fire
///   GET  /api/workflows/{id}/executions
/// </summary>
public static class SampleWorkflowApi
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static DistributedApplication MapSampleWorkflowApi(this DistributedApplication app, CreTopologyResources resources)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(resources);
        var workflowNodes = resources.Nodes.Where(n => n.Resource.Name.StartsWith("wf-", StringComparison.Ordinal)).Select(n => n.Resource).ToList();
        return app.MapDashboardApi(endpoints =>
        {
            endpoints.MapPost("/api/samples/{sample}/deploy", async (string sample, bool? confidential, string? name, string? schedule, CancellationToken ct) =>
            {
                if (!resources.Contracts.Resource.Outputs.TryGetValue(ContractsOutputs.WorkflowRegistry, out var registry))
                {
                    return Results.Problem("The registries are not deployed yet (the 'contracts' resource has not finished).", statusCode: 409);
                }

                try
                {
                    var deployed = await SampleWorkflowDeployer.DeployAsync(new SampleDeployment(
                        resources.Anvil.Resource.GetConnectionString(), registry, resources.ArtifactsFolder,
                        resources.Artifacts.Resource.GetEndpoint(), sample,
                        name ?? $"{sample}-{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}",
                        confidential == true ? SampleWorkflowDeployer.ConfidentialAttributes : [],
                        schedule ?? "*/30 * * * * *"), ct);
                    return Results.Ok(new { deployed.WorkflowId, deployed.WorkflowName, deployed.Owner, deployed.BinaryUrl, attributes = Encoding.UTF8.GetString(deployed.Attributes) });
                }
                catch (Exception ex) when (ex is ArgumentException or FileNotFoundException or InvalidOperationException or HttpRequestException)
                {
                    return Results.Problem(ex.Message, statusCode: 400);
                }
            });

            endpoints.MapPost("/api/workflows/{id}/fire", async (string id, CancellationToken ct) =>
            {
                // One scheduled time for every node, so they derive the same execution id.
                var now = DateTimeOffset.UtcNow;
                var scheduled = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
                var answers = await Task.WhenAll(workflowNodes.Select(async node =>
                {
                    var url = new Uri(node.GetEndpoint(), $"workflows/{id}/fire?scheduledTime={Uri.EscapeDataString(scheduled.ToString("O"))}");
                    using var response = await Http.PostAsync(url, content: null, ct);
                    return new { node = node.Name, status = (int)response.StatusCode, body = await response.Content.ReadAsStringAsync(ct) };
                }));
                return Results.Ok(new { scheduledTime = scheduled, nodes = answers });
            });

            endpoints.MapGet("/api/workflows/{id}/executions", async (string id, CancellationToken ct) =>
            {
                var answers = await Task.WhenAll(workflowNodes.Select(async node =>
                {
                    var executions = await Http.GetFromJsonAsync<JsonElement>(new Uri(node.GetEndpoint(), $"executions?workflow_id={id}"), ct);
                    return new { node = node.Name, executions };
                }));
                return Results.Ok(answers);
            });
        });
    }
}
