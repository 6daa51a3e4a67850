using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using CreAspire.AppHost.Samples;
using CreAspire.Protocol.Mock;
using Xunit.Abstractions;

namespace CreAspire.EndToEnd.Tests;

/// <summary>
/// Issue 18's quorum scenarios on the real topology (F=1 everywhere): relay nodes that answer wrongly (the gateway needs
/// 2F+1 = 3 identical answers of 4), and capability nodes that are down (a caller needs F+1 = 2 identical answers of 4).
/// Each scenario makes its nodes honest or starts them again when it ends.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class QuorumFaultTests(QuorumFaultApp app, ITestOutputHelper output) : IClassFixture<QuorumFaultApp>
{
    private const string WrongResult = "wrong answer from a faulty relay node"; // RelayNode.Faults.WrongAnswers.WrongResult

    [Fact]
    public Task One_wrong_relay_is_outvoted_and_the_honest_answer_is_used() => ScenarioGuard.RunAsync(app, output, async () =>
    {
        var workflow = await app.DeployAsync("confidential-mock", "fault-one-wrong-relay", SampleWorkflowDeployer.ConfidentialAttributes);
        await app.WaitForActiveAsync(workflow.WorkflowId);
        await WithWrongRelaysAsync(["relay-0"], async () =>
        {
            var executionId = await app.FireAsync(workflow.WorkflowId);

            var finished = await app.WaitForFinishedAsync(workflow.WorkflowId, executionId);
            FaultTools.AssertAllSucceeded(finished);
            var results = finished.Values.Select(e => e.GetProperty("result").GetString()!).Distinct().ToList();
            Assert.Single(results);
            Assert.DoesNotContain(WrongResult, Encoding.UTF8.GetString(Convert.FromBase64String(results[0])), StringComparison.Ordinal);

            // The enclave got the honest vault answer: the mock saw the hash of the real secret.
            var secretHash = SHA256.HashData(Encoding.UTF8.GetBytes(app.Options.SampleSecret));
            var records = await app.MockRecordsAsync(executionId);
            Assert.True(records.Count >= 2, $"the mock recorded the execution on {records.Count} capability nodes");
            Assert.All(records, r => Assert.Equal(secretHash,
                MockInput.Parser.ParseFrom(Convert.FromHexString(r.GetProperty("payloadHex").GetString()!)).Data.ToByteArray()));
        });
    });

    [Fact]
    public Task F_plus_one_wrong_relays_fail_the_execution_fast_with_a_quorum_error() => ScenarioGuard.RunAsync(app, output, async () =>
    {
        var workflow = await app.DeployAsync("confidential-mock", "fault-two-wrong-relays", SampleWorkflowDeployer.ConfidentialAttributes);
        await app.WaitForActiveAsync(workflow.WorkflowId);
        await WithWrongRelaysAsync(["relay-0", "relay-1"], async () =>
        {
            var fired = Stopwatch.GetTimestamp();
            var executionId = await app.FireAsync(workflow.WorkflowId);

            var finished = await app.WaitForFinishedAsync(workflow.WorkflowId, executionId);
            var took = Stopwatch.GetElapsedTime(fired);
            output.WriteLine($"F+1 wrong relays: every node recorded the execution as finished {took.TotalSeconds:0.0} s after the fire: " +
                             finished.Values.First().GetProperty("error").GetString());
            Assert.All(finished, e =>
            {
                Assert.Equal("failed", e.Value.GetProperty("status").GetString());
                Assert.Contains("quorum unobtainable", e.Value.GetProperty("error").GetString(), StringComparison.Ordinal);
            });
            // Not a timeout: the gateway's request timeout is 30 s, and the wrong answers decide the vote as they arrive.
            Assert.True(took < TimeSpan.FromSeconds(30), $"the failure took {took.TotalSeconds:0.0} s");
            Assert.Empty(await app.MockRecordsAsync(executionId));
        });
    });

    [Fact]
    public Task Capability_nodes_down_are_tolerated_until_F_plus_one_answers_cannot_be_had_then_fail_fast() => ScenarioGuard.RunAsync(app, output, async () =>
    {
        var confidential = await app.DeployAsync("confidential-mock", "fault-cap-confidential", SampleWorkflowDeployer.ConfidentialAttributes);
        var plain = await app.DeployAsync("confidential-mock", "fault-cap-plain", []);
        await app.WaitForActiveAsync(confidential.WorkflowId);
        await app.WaitForActiveAsync(plain.WorkflowId);
        var stopped = new List<string>();
        try
        {
            // F = 1 down, then F+1 = 2 down: two nodes still give F+1 identical answers.
            foreach (var node in new[] { "cap-0", "cap-1" })
            {
                await app.StopAsync(node);
                stopped.Add(node);
                foreach (var workflow in new[] { confidential, plain })
                {
                    var executionId = await app.FireAsync(workflow.WorkflowId);
                    FaultTools.AssertAllSucceeded(await app.WaitForFinishedAsync(workflow.WorkflowId, executionId));
                }
            }

            // 3 of 4 down: one answer can never make F+1, and the caller is told at once.
            await app.StopAsync("cap-2");
            stopped.Add("cap-2");
            foreach (var workflow in new[] { confidential, plain })
            {
                var fired = Stopwatch.GetTimestamp();
                var executionId = await app.FireAsync(workflow.WorkflowId);
                var finished = await app.WaitForFinishedAsync(workflow.WorkflowId, executionId);
                var took = Stopwatch.GetElapsedTime(fired);
                output.WriteLine($"{workflow.WorkflowName} with 3 of 4 capability nodes down: finished in {took.TotalSeconds:0.0} s: " +
                                 finished.Values.First().GetProperty("error").GetString());
                Assert.All(finished, e =>
                {
                    Assert.Equal("failed", e.Value.GetProperty("status").GetString());
                    Assert.Contains("unobtainable", e.Value.GetProperty("error").GetString(), StringComparison.Ordinal);
                });
                Assert.True(took < TimeSpan.FromSeconds(30), $"the failure took {took.TotalSeconds:0.0} s");
            }
        }
        finally
        {
            foreach (var node in stopped)
            {
                await app.StartAsync(node);
            }

            foreach (var node in stopped)
            {
                await app.WaitForHealthyAsync(node);
            }
        }

        // Whole again: both paths succeed.
        foreach (var workflow in new[] { confidential, plain })
        {
            var executionId = await app.FireAsync(workflow.WorkflowId);
            FaultTools.AssertAllSucceeded(await app.WaitForFinishedAsync(workflow.WorkflowId, executionId));
        }
    });

    private async Task WithWrongRelaysAsync(IReadOnlyList<string> relays, Func<Task> scenario)
    {
        try
        {
            foreach (var relay in relays)
            {
                using var response = await app.PostAsync(relay, "faults/wrong-answers?enabled=true");
                Assert.True(response.IsSuccessStatusCode, $"{relay}: the wrong-answer switch answered {(int)response.StatusCode}");
            }

            await scenario();
        }
        finally
        {
            foreach (var relay in relays)
            {
                using var response = await app.PostAsync(relay, "faults/wrong-answers?enabled=false");
            }
        }
    }
}
