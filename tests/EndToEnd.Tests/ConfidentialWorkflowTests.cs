using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CreAspire.AppHost.Samples;
using CreAspire.AppHost.Topology;
using CreAspire.Protocol.Mock;
using Xunit.Abstractions;

namespace CreAspire.EndToEnd.Tests;

/// <summary>
/// The mission's acceptance test (ARCHITECTURE §4), on the default topology: 4 workflow, 4 relay and 4 capability nodes,
/// F=1 everywhere, so the enclave needs 2 signed requests, the gateway 3 identical relay answers and the capability DON
/// 2 identical requests.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ConfidentialWorkflowTests(DefaultTopologyApp app, ITestOutputHelper output) : IClassFixture<DefaultTopologyApp>
{
    private const int F = 1;

    [Fact]
    public Task Confidential_workflow_reaches_the_mock_capability_through_enclave_gateway_and_relay_DON() => ScenarioGuard.RunAsync(app, output, async () =>
    {
        var workflow = await app.DeployAsync("confidential-mock", "confidential-mock", SampleWorkflowDeployer.ConfidentialAttributes);
        await app.WaitForActiveAsync(workflow.WorkflowId);
        var enclaveBefore = await EnclaveRunsAsync(workflow.WorkflowId);

        var executionId = await app.FireAsync(workflow.WorkflowId);

        // The mock capability recorded the request on at least F+1 capability nodes, as called by the relay DON, with the
        // SHA-256 of the vault's MOCK_SECRET in its payload (so the secret reached the enclave).
        IReadOnlyList<JsonElement> records = [];
        await Eventually.WaitAsync("the mock capability's records on F+1 nodes", async () =>
            (records = await app.MockRecordsAsync(executionId)).Count >= F + 1, CreApp.DefaultTimeout);
        var secretHash = SHA256.HashData(Encoding.UTF8.GetBytes(app.Options.SampleSecret));
        foreach (var record in records)
        {
            Assert.Equal("mock@1.0.0", record.GetProperty("capabilityId").GetString());
            Assert.Equal(workflow.WorkflowId, record.GetProperty("workflowId").GetString());
            Assert.Equal(executionId, record.GetProperty("executionId").GetString());
            Assert.Equal(app.DonId(CreTopology.RelayDon), record.GetProperty("callerDonId").GetUInt32());
            var input = MockInput.Parser.ParseFrom(Convert.FromHexString(record.GetProperty("payloadHex").GetString()!));
            Assert.Equal("confidential-mock", input.Message);
            Assert.Equal(secretHash, input.Data.ToByteArray());
        }

        // Every workflow node recorded the execution as finished with the same result.
        var finished = await app.WaitForFinishedAsync(workflow.WorkflowId, executionId);
        Assert.All(finished.Values, e => Assert.Equal("succeeded", e.GetProperty("status").GetString()));
        Assert.Single(finished.Values.Select(e => e.GetProperty("result").GetString()).Distinct());

        // The enclave ran this execution exactly once (plus the subscribe run from activation, before it).
        var enclaveRuns = await EnclaveRunsAsync(workflow.WorkflowId);
        Assert.Equal(1, enclaveRuns.Count(r => r == executionId));
        Assert.Equal(enclaveBefore.Count + 1, enclaveRuns.Count);
    });

    [Fact]
    public Task At_start_the_enclaves_path_probe_reached_the_vault_through_the_gateway_and_the_relay_DON() => ScenarioGuard.RunAsync(app, output, async () =>
    {
        // The probe (Enclave:PathProbe, on under the AppHost) asks for a secret nobody has, as workflow 0…0 of owner
        // 0x0…0: at least F+1 vault nodes recorded it as not found, asked by the relay DON (so the relays verified its
        // attestation and made the DON call), and nothing was sealed.
        var probeWorkflow = new string('0', 64);
        var rows = new List<JsonElement>();
        await Eventually.WaitAsync("the path probe's vault records on F+1 capability nodes", async () =>
        {
            rows.Clear();
            foreach (var node in app.CapabilityNodes)
            {
                var list = await app.GetJsonAsync(node, $"vault/requests?workflow_id={probeWorkflow}");
                rows.AddRange(list.EnumerateArray().Select(e => e.Clone()));
            }

            return rows.Count >= F + 1;
        }, CreApp.DefaultTimeout);
        foreach (var row in rows)
        {
            Assert.Equal("CREASPIRE_PATH_PROBE", row.GetProperty("key").GetString());
            Assert.StartsWith("secret not found", row.GetProperty("outcome").GetString(), StringComparison.Ordinal);
            Assert.Equal(app.DonId(CreTopology.RelayDon), row.GetProperty("callerDonId").GetUInt32());
        }
    });

    [Fact]
    public Task Non_confidential_workflow_runs_on_the_workflow_DON_without_the_enclave() => ScenarioGuard.RunAsync(app, output, async () =>
    {
        var workflow = await app.DeployAsync("confidential-mock", "plain-mock", []);
        await app.WaitForActiveAsync(workflow.WorkflowId);

        var executionId = await app.FireAsync(workflow.WorkflowId);

        var finished = await app.WaitForFinishedAsync(workflow.WorkflowId, executionId);
        Assert.All(finished, e => Assert.True(e.Value.GetProperty("status").GetString() == "succeeded",
            $"{e.Key}: {e.Value.GetProperty("error")}"));
        var records = await app.MockRecordsAsync(executionId);
        Assert.True(records.Count >= F + 1, $"the mock recorded the execution on {records.Count} capability nodes");
        Assert.All(records, r => Assert.Equal(app.DonId(CreTopology.WorkflowDon), r.GetProperty("callerDonId").GetUInt32()));
        Assert.Empty(await EnclaveRunsAsync(workflow.WorkflowId));
    });

    [Fact]
    public Task Malformed_attributes_create_no_engine_and_the_error_is_visible() => ScenarioGuard.RunAsync(app, output, async () =>
    {
        var workflow = await app.DeployAsync("confidential-mock", "malformed", Encoding.UTF8.GetBytes("{\"confidential\": tru"));

        await Eventually.WaitAsync("the malformed workflow to be refused on every node", async () =>
        {
            foreach (var node in app.WorkflowNodes)
            {
                var state = await app.GetJsonAsync(node, $"workflows/{workflow.WorkflowId}");
                if (state.GetProperty("status").GetString() != "failed")
                {
                    return false;
                }

                Assert.False(state.GetProperty("engineRunning").GetBoolean());
                Assert.StartsWith("failed to parse workflow attributes", state.GetProperty("lastError").GetString());
            }

            return true;
        }, CreApp.DefaultTimeout);
        foreach (var node in app.WorkflowNodes)
        {
            Assert.Empty((await app.GetJsonAsync(node, $"executions?workflow_id={workflow.WorkflowId}")).EnumerateArray());
            using var fire = await app.PostAsync(node, $"workflows/{workflow.WorkflowId}/fire");
            Assert.Equal(System.Net.HttpStatusCode.NotFound, fire.StatusCode);
        }
    });

    [Fact]
    public Task The_workflow_DON_commands_deploy_and_fire_a_confidential_workflow_that_succeeds() => ScenarioGuard.RunAsync(app, output, async () =>
    {
        // The dashboard's "Deploy sample (confidential)" and "Fire cron now" buttons, run through ResourceCommandService.
        var deployed = await app.ExecuteCommandAsync("workflow-don", WorkflowDonCommands.DeployConfidential);
        Assert.True(deployed.Success, deployed.Message);
        var workflowId = JsonDocument.Parse(deployed.Data!.Value).RootElement.GetProperty("workflowId").GetString()!;
        Assert.Contains(workflowId, deployed.Message, StringComparison.Ordinal);
        Assert.Contains("active on all 4 workflow nodes", deployed.Message, StringComparison.Ordinal);

        var fired = await app.ExecuteCommandAsync("workflow-don", WorkflowDonCommands.FireCron);

        Assert.True(fired.Success, fired.Message);
        Assert.StartsWith($"Workflow {workflowId}: execution ", fired.Message, StringComparison.Ordinal);
        Assert.EndsWith(" succeeded on all 4 workflow nodes.", fired.Message, StringComparison.Ordinal);
        var executionId = fired.Message!.Split(' ')[3];
        var records = await app.MockRecordsAsync(executionId);
        Assert.True(records.Count >= F + 1, $"the mock recorded the execution on {records.Count} capability nodes");
        Assert.All(records, r => Assert.Equal(app.DonId(CreTopology.RelayDon), r.GetProperty("callerDonId").GetUInt32()));
    });

    private async Task<IReadOnlyList<string>> EnclaveRunsAsync(string workflowId)
    {
        var log = await app.GetJsonAsync("enclave", "executions");
        return log.GetProperty("recent").EnumerateArray()
            .Where(e => e.GetProperty("workflowId").GetString() == workflowId && e.GetProperty("status").GetString() == "succeeded")
            .Select(e => e.GetProperty("executionId").GetString() ?? "")
            .ToList();
    }
}
