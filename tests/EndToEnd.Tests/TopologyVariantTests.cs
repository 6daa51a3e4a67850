using System.Text.Json;
using Aspire.Hosting.ApplicationModel;
using CreAspire.AppHost.Samples;
using CreAspire.AppHost.Topology;
using Xunit.Abstractions;

namespace CreAspire.EndToEnd.Tests;

/// <summary>F=1 relay DON of 4: with one relay node down the gateway still gets 2F+1 = 3 identical answers.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class RelayNodeDownTests(RelayFaultApp app, ITestOutputHelper output) : IClassFixture<RelayFaultApp>
{
    [Fact]
    public Task Confidential_path_completes_with_one_relay_node_down() => ScenarioGuard.RunAsync(app, output, async () =>
    {
        var workflow = await app.DeployAsync("confidential-mock", "confidential-relay-down", SampleWorkflowDeployer.ConfidentialAttributes);
        await app.WaitForActiveAsync(workflow.WorkflowId);

        // The dashboard's Stop command on relay-0.
        var stopped = await app.ExecuteCommandAsync("relay-0", KnownResourceCommands.StopCommand);
        Assert.True(stopped.Success, stopped.Message);
        using (var timeout = new CancellationTokenSource(CreApp.DefaultTimeout))
        {
            await app.App.ResourceNotifications.WaitForResourceAsync("relay-0", [KnownResourceStates.Exited, KnownResourceStates.Finished], timeout.Token);
        }

        var executionId = await app.FireAsync(workflow.WorkflowId);

        var finished = await app.WaitForFinishedAsync(workflow.WorkflowId, executionId);
        Assert.All(finished, e => Assert.True(e.Value.GetProperty("status").GetString() == "succeeded",
            $"{e.Key}: {e.Value.GetProperty("error")}"));
        var records = await app.MockRecordsAsync(executionId);
        Assert.True(records.Count >= 2, $"the mock recorded the execution on {records.Count} capability nodes");
        Assert.All(records, r => Assert.DoesNotContain(
            Protocol.Identity.NodeIdentity.Derive("relay-0", app.Options.Seed).Address,
            r.GetProperty("callerNodes").EnumerateArray().Select(n => n.GetString())));
    });
}

/// <summary>One DON that is both the workflow DON and the capability DON: the capabilities are served to the DON itself.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class SingleDonTests(SingleDonApp app, ITestOutputHelper output) : IClassFixture<SingleDonApp>
{
    [Fact]
    public Task Single_DON_runs_the_non_confidential_workflow_against_its_own_capabilities() => ScenarioGuard.RunAsync(app, output, async () =>
    {
        var workflow = await app.DeployAsync("confidential-mock", "single-don", []);
        await app.WaitForActiveAsync(workflow.WorkflowId);

        var executionId = await app.FireAsync(workflow.WorkflowId);

        var finished = await app.WaitForFinishedAsync(workflow.WorkflowId, executionId);
        Assert.All(finished, e => Assert.True(e.Value.GetProperty("status").GetString() == "succeeded",
            $"{e.Key}: {e.Value.GetProperty("error")}"));
        var records = await app.MockRecordsAsync(executionId);
        Assert.True(records.Count >= 2, $"the mock recorded the execution on {records.Count} capability processes");
        Assert.All(records, r => Assert.Equal(app.DonId(CreTopology.WorkflowDon), r.GetProperty("callerDonId").GetUInt32()));
        Assert.Equal(JsonValueKind.Array, (await app.GetJsonAsync("wf-0", "workflows")).ValueKind);
    });
}
