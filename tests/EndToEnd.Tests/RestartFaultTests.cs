using System.Diagnostics;
using System.Net.Sockets;
using CreAspire.AppHost.Samples;
using Npgsql;
using Xunit.Abstractions;

namespace CreAspire.EndToEnd.Tests;

/// <summary>
/// Issue 18's restart scenarios on the real topology: a workflow node killed with SIGKILL mid-run, Postgres restarted
/// mid-run, the gateway restarted. Each scenario starts again what it stopped, so the topology is whole for the next.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class RestartFaultTests(RestartFaultApp app, ITestOutputHelper output) : IClassFixture<RestartFaultApp>
{
    /// <summary>What the issue allows between a server accepting connections again and its clients using it.</summary>
    private static readonly TimeSpan ReconnectBound = TimeSpan.FromSeconds(2);

    [Fact]
    public Task A_killed_workflow_node_resyncs_and_records_its_in_flight_execution_as_failed() => ScenarioGuard.RunAsync(app, output, async () =>
    {
        var workflow = await app.DeployAsync("confidential-mock", "fault-kill", SampleWorkflowDeployer.ConfidentialAttributes);
        var id = workflow.WorkflowId;
        await app.WaitForActiveAsync(id);
        var others = app.WorkflowNodes.Skip(1).ToList();

        // In flight: fired on wf-0 alone, the enclave waits for F+1 signed requests, so wf-0's execution stays "started".
        var inFlight = await app.FireOnAsync(["wf-0"], id, FaultTools.NextScheduledTime());
        await Eventually.WaitAsync("wf-0 to record the execution as started", async () =>
            (await app.ExecutionAsync("wf-0", id, inFlight))?.GetProperty("status").GetString() == "started", CreApp.DefaultTimeout);
        var killed = await app.KillAsync("wf-0");
        var restart = Stopwatch.GetTimestamp();
        try
        {
            // The DON goes on with three nodes.
            var during = await app.FireOnAsync(others, id, FaultTools.NextScheduledTime());
            FaultTools.AssertAllSucceeded(await app.WaitForFinishedOnAsync(others, id, during));

            restart = Stopwatch.GetTimestamp();
            await app.StartAsync("wf-0");
        }
        finally
        {
            await app.EnsureRunningAsync("wf-0");
        }

        await app.PidAsync("wf-0", notPid: killed);
        await app.WaitForActiveAsync(id);
        output.WriteLine($"wf-0 killed (pid {killed}), started again and active with the workflow in {Stopwatch.GetElapsedTime(restart).TotalSeconds:0.0} s");

        var recorded = await app.ExecutionAsync("wf-0", id, inFlight);
        Assert.NotNull(recorded);
        Assert.Equal("failed", recorded.Value.GetProperty("status").GetString());
        Assert.Contains("stopped before this execution finished", recorded.Value.GetProperty("error").GetString(), StringComparison.Ordinal);

        // Resynced from the registry into the rows it had: one spec row per workflow id.
        await using (var connection = new NpgsqlConnection(await app.PostgresAsync("wf-0")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT workflow_id, count(*) FROM workflow_specs_v2 GROUP BY workflow_id", connection);
            await using var reader = await command.ExecuteReaderAsync();
            var rows = new Dictionary<string, long>(StringComparer.Ordinal);
            while (await reader.ReadAsync())
            {
                rows[reader.GetString(0)] = reader.GetInt64(1);
            }

            Assert.Equal(1, rows.GetValueOrDefault(id));
            Assert.All(rows, r => Assert.True(r.Value == 1, $"{r.Value} spec rows for {r.Key}"));
        }

        // And the whole DON, wf-0 included, runs the next execution.
        var after = await app.FireAsync(id);
        FaultTools.AssertAllSucceeded(await app.WaitForFinishedAsync(id, after));
    });

    [Fact]
    public Task Postgres_restarted_mid_run_loses_no_execution_and_the_nodes_reconnect_at_once() => ScenarioGuard.RunAsync(app, output, async () =>
    {
        var workflow = await app.DeployAsync("confidential-mock", "fault-postgres", []);
        var id = workflow.WorkflowId;
        await app.WaitForActiveAsync(id);
        var first = await app.FireAsync(id);
        FaultTools.AssertAllSucceeded(await app.WaitForFinishedAsync(id, first));
        var recordedBefore = new Dictionary<string, IReadOnlyDictionary<string, string>>();
        foreach (var node in app.WorkflowNodes)
        {
            recordedBefore[node] = await app.ExecutionStatusesAsync(node, id);
        }

        // Mid-run: an execution is under way when the server stops.
        var midRun = await app.FireAsync(id);
        var admin = await app.PostgresAsync();
        var down = Stopwatch.GetTimestamp();
        TimeSpan stoppedIn;
        try
        {
            await app.StopAsync("postgres");
            stoppedIn = Stopwatch.GetElapsedTime(down);
            await app.StartAsync("postgres");
        }
        finally
        {
            await app.EnsureRunningAsync("postgres");
        }

        var acceptingIn = await FaultTools.MillisecondsUntilAsync("Postgres to accept connections", down, () => FaultTools.PostgresAcceptsAsync(admin), CreApp.DefaultTimeout);
        var accepting = Stopwatch.GetTimestamp();

        // Every node that keeps its state in Postgres answers a query that reads it.
        var probes = app.WorkflowNodes.Select(node => (node, path: $"executions?workflow_id={id}"))
            .Concat(app.CapabilityNodes.Select(node => (node, path: "requests?execution_id=none&capability_id=mock@1.0.0")));
        var reconnected = await Task.WhenAll(probes.Select(async probe => (probe.node, ms: await FaultTools.MillisecondsUntilAsync(
            $"{probe.node} to read its database", accepting, () => app.AnswersAsync(probe.node, probe.path), CreApp.DefaultTimeout))));
        output.WriteLine($"Postgres stopped in {stoppedIn.TotalSeconds:0.0} s, accepting again {acceptingIn / 1000:0.0} s after the stop; " +
                         $"nodes reading their databases after it accepted: {string.Join(", ", reconnected.Select(r => $"{r.node} {r.ms:0} ms"))}");
        Assert.All(reconnected, r => Assert.True(r.ms < ReconnectBound.TotalMilliseconds, $"{r.node} read its database {r.ms:0} ms after Postgres accepted connections"));

        // Nothing recorded before the restart is lost, and the execution under way is finished, never left "started".
        foreach (var node in app.WorkflowNodes)
        {
            var now = await app.ExecutionStatusesAsync(node, id);
            Assert.All(recordedBefore[node], e => Assert.Equal(e.Value, now.GetValueOrDefault(e.Key)));
        }

        var midRunRecords = await app.WaitForFinishedOnAsync(app.WorkflowNodes, id, midRun);
        output.WriteLine($"execution under way at the stop: {string.Join(", ", midRunRecords.Select(r => $"{r.Key} {r.Value.GetProperty("status").GetString()}"))}");

        var after = await app.FireAsync(id);
        FaultTools.AssertAllSucceeded(await app.WaitForFinishedAsync(id, after));
        Assert.True((await app.MockRecordsAsync(after)).Count >= 2, "the mock capability recorded the execution after the restart");
    });

    [Fact]
    public Task A_burst_after_each_deploy_completes_each_execution_once_and_Postgres_backends_stay_bounded() => ScenarioGuard.RunAsync(app, output, async () =>
    {
        const int burstSize = 4;
        var admin = await app.PostgresAsync();
        var databases = app.WorkflowNodes.Count + app.CapabilityNodes.Count;
        var atStart = await FaultTools.BackendsAsync(admin);
        var peak = atStart;
        for (var round = 0; round < 4; round++)
        {
            var confidential = round % 2 == 1;
            var workflow = await app.DeployAsync("confidential-mock", $"fault-burst-{round}", confidential ? SampleWorkflowDeployer.ConfidentialAttributes : []);
            var id = workflow.WorkflowId;
            await app.WaitForActiveAsync(id);
            var burst = await Task.WhenAll(Enumerable.Range(0, burstSize).Select(_ => app.FireOnAsync(app.WorkflowNodes, id, FaultTools.NextScheduledTime())));
            foreach (var execution in burst)
            {
                FaultTools.AssertAllSucceeded(await app.WaitForFinishedAsync(id, execution));
            }

            // Each execution completed exactly once on every node, and nothing else is recorded (none left started).
            foreach (var node in app.WorkflowNodes)
            {
                var recorded = await app.ExecutionStatusesAsync(node, id);
                var described = $"round {round}: {node} records {string.Join(", ", recorded.Select(r => $"{r.Key} {r.Value}"))}; the burst fired {string.Join(", ", burst)}";
                Assert.True(burst.Order(StringComparer.Ordinal).SequenceEqual(recorded.Keys.Order(StringComparer.Ordinal)), described);
                Assert.True(recorded.Values.All(status => status == "succeeded"), described);
            }

            if (confidential)
            {
                var enclave = await app.GetJsonAsync("enclave", "executions");
                // The enclave's log has an entry per state of a run; count the finished runs.
                var entries = enclave.GetProperty("recent").EnumerateArray()
                    .Select(e => (Execution: e.GetProperty("executionId").GetString(), Status: e.GetProperty("status").GetString(), Hash: e.GetProperty("requestHash").GetString()))
                    .Where(e => burst.Contains(e.Execution)).ToList();
                var described = $"round {round}: the enclave logged {string.Join("; ", entries.Select(e => $"{e.Execution} {e.Status} (request {e.Hash})"))}";
                Assert.All(burst, execution => Assert.True(entries.Count(e => e.Execution == execution && e.Status == "succeeded") == 1, $"{execution} did not run exactly once: {described}"));
            }

            var now = await FaultTools.BackendsAsync(admin);
            output.WriteLine($"after deploy {round + 1} ({(confidential ? "confidential" : "normal")}) and a burst of {burstSize}: {now}");
            peak = now.Clients > peak.Clients ? now : peak;
        }

        output.WriteLine($"at start: {atStart}; peak: {peak}; bound {FaultTools.MaxPoolSize} per node database, {databases} databases");
        Assert.All(peak.ClientsByDatabase.Where(d => d.Key.StartsWith("wf-", StringComparison.Ordinal) || d.Key.StartsWith("cap-", StringComparison.Ordinal)),
            d => Assert.True(d.Value <= FaultTools.MaxPoolSize, $"{d.Value} backends serve {d.Key}: {peak}"));
        Assert.True(peak.Clients <= (FaultTools.MaxPoolSize * databases) + 2, $"{peak.Clients} client backends at the peak, bound {(FaultTools.MaxPoolSize * databases) + 2}: {peak}");
    });

    [Fact]
    public Task Restarted_gateway_gets_every_relay_back_at_once_and_the_next_confidential_execution_succeeds() => ScenarioGuard.RunAsync(app, output, async () =>
    {
        var workflow = await app.DeployAsync("confidential-mock", "fault-gateway", SampleWorkflowDeployer.ConfidentialAttributes);
        var id = workflow.WorkflowId;
        await app.WaitForActiveAsync(id);
        var before = await app.FireAsync(id);
        FaultTools.AssertAllSucceeded(await app.WaitForFinishedAsync(id, before));
        var relays = app.RelayNodes();

        var down = Stopwatch.GetTimestamp();
        try
        {
            await app.StopAsync("gateway");
            await Eventually.WaitAsync("the relays to notice the gateway is gone", async () =>
            {
                foreach (var relay in relays)
                {
                    if (await app.AnswersAsync(relay, "health"))
                    {
                        return false;
                    }
                }

                return true;
            }, CreApp.DefaultTimeout);
            await app.StartAsync("gateway");
        }
        finally
        {
            await app.EnsureRunningAsync("gateway");
        }

        var gateway = app.Endpoint("gateway");
        var acceptingIn = await FaultTools.MillisecondsUntilAsync("the gateway to accept connections", down, async () =>
        {
            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(gateway.Host, gateway.Port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }, CreApp.DefaultTimeout);
        var accepting = Stopwatch.GetTimestamp();
        var reconnected = await Task.WhenAll(relays.Select(async relay => (relay, ms: await FaultTools.MillisecondsUntilAsync(
            $"{relay} to hold a gateway session again", accepting, () => app.AnswersAsync(relay, "health"), CreApp.DefaultTimeout))));
        output.WriteLine($"gateway accepting again {acceptingIn / 1000:0.0} s after the stop; relays connected after it accepted: " +
                         string.Join(", ", reconnected.Select(r => $"{r.relay} {r.ms:0} ms")));
        Assert.All(reconnected, r => Assert.True(r.ms < ReconnectBound.TotalMilliseconds, $"{r.relay} reconnected {r.ms:0} ms after the gateway accepted connections"));

        var after = await app.FireAsync(id);
        FaultTools.AssertAllSucceeded(await app.WaitForFinishedAsync(id, after));
    });
}
