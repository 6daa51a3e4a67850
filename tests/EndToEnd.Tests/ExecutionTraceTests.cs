using CreAspire.AppHost.Samples;
using CreAspire.Telemetry.Testing;
using Xunit.Abstractions;

namespace CreAspire.EndToEnd.Tests;

/// <summary>
/// Issue 16's acceptance on the real topology (4 workflow, 4 relay, 4 capability nodes, F=1 everywhere): one execution is
/// one trace, collected over OTLP from every service process by the in-test receiver, whose spans come from every hop in
/// parent/child order. Judged from spans only, never from logs.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class ExecutionTraceTests(TracedTopologyApp app, ITestOutputHelper output) : IClassFixture<TracedTopologyApp>
{
    private const int F = 1;

    [Fact]
    public Task A_confidential_execution_is_one_trace_from_cron_through_enclave_gateway_relays_and_capability_DON_to_the_mock() =>
        ScenarioGuard.RunAsync(app, output, async () =>
        {
            var workflow = await app.DeployAsync("confidential-mock", "traced-confidential", SampleWorkflowDeployer.ConfidentialAttributes);
            await app.WaitForActiveAsync(workflow.WorkflowId);

            var executionId = await app.FireAsync(workflow.WorkflowId);

            var finished = await app.WaitForFinishedAsync(workflow.WorkflowId, executionId);
            Assert.All(finished.Values, e => Assert.Equal("succeeded", e.GetProperty("status").GetString()));
            var trace = await app.Receiver.WaitForExecutionTraceAsync(executionId, ExecutionTraces.Confidential(F, F, F), CreApp.DefaultTimeout);
            output.WriteLine(TraceTree.Render(trace));

            // Spans from every kind of process, all in the execution's one trace id.
            Assert.Single(trace.Select(s => s.TraceId).Distinct());
            Assert.Equal(ExecutionTraces.TraceIdOf(executionId), trace[0].TraceId);
            AssertServices(trace, "cron.fire", prefix: "wf-", atLeast: F + 1);
            AssertServices(trace, "enclave.run", prefix: "enclave", atLeast: 1);
            AssertServices(trace, "gateway.relay", prefix: "gateway", atLeast: 1);
            AssertServices(trace, "relay.handle", prefix: "relay-", atLeast: (2 * F) + 1);
            AssertServices(trace, "don.serve mock@1.0.0", prefix: "cap-", atLeast: F + 1);
            AssertServices(trace, "capability.execute mock@1.0.0", prefix: "cap-", atLeast: F + 1);

            // Each call of the mock hangs, hop by hop, under a cron trigger of a workflow node, on the process each hop runs in.
            var tree = new TraceTree(trace);
            foreach (var mock in tree.Named("capability.execute mock@1.0.0"))
            {
                AssertChain(tree, mock,
                    ("don.serve mock@1.0.0", "cap-"),
                    ("don.call mock@1.0.0", "relay-"),
                    ("relay.handle confidential.capability.execute", "relay-"),
                    ("gateway.forward", "relay-"),
                    ("gateway.relay confidential.capability.execute", "gateway"),
                    ("enclave.relay_call confidential.capability.execute", "enclave"),
                    ("enclave.run", "enclave"),
                    ("enclave.quorum", "enclave"),
                    ("confidential.delegate", "wf-"),
                    ("workflow.execute", "wf-"),
                    ("cron.fire", "wf-"));
            }
        });

    [Fact]
    public Task A_normal_execution_is_one_trace_from_cron_through_the_capability_DON_to_the_mock() =>
        ScenarioGuard.RunAsync(app, output, async () =>
        {
            var workflow = await app.DeployAsync("confidential-mock", "traced-normal", []);
            await app.WaitForActiveAsync(workflow.WorkflowId);

            var executionId = await app.FireAsync(workflow.WorkflowId);

            var finished = await app.WaitForFinishedAsync(workflow.WorkflowId, executionId);
            Assert.All(finished.Values, e => Assert.Equal("succeeded", e.GetProperty("status").GetString()));
            var trace = await app.Receiver.WaitForExecutionTraceAsync(executionId, ExecutionTraces.Local(F, F), CreApp.DefaultTimeout);
            output.WriteLine(TraceTree.Render(trace));

            Assert.Single(trace.Select(s => s.TraceId).Distinct());
            AssertServices(trace, "cron.fire", prefix: "wf-", atLeast: F + 1);
            AssertServices(trace, "capability.execute mock@1.0.0", prefix: "cap-", atLeast: F + 1);
            Assert.DoesNotContain(trace, s => s.Service is "enclave" or "gateway" || s.Service.StartsWith("relay-", StringComparison.Ordinal));

            var tree = new TraceTree(trace);
            foreach (var mock in tree.Named("capability.execute mock@1.0.0"))
            {
                AssertChain(tree, mock,
                    ("don.serve mock@1.0.0", "cap-"),
                    ("don.request", "wf-"),
                    ("don.call mock@1.0.0", "wf-"),
                    ("workflow.execute", "wf-"),
                    ("cron.fire", "wf-"));
            }
        });

    /// <summary>The spans named <paramref name="name"/> come from at least <paramref name="atLeast"/> services named like <paramref name="prefix"/>.</summary>
    private static void AssertServices(IReadOnlyList<CollectedSpan> trace, string name, string prefix, int atLeast)
    {
        var services = trace.Where(s => TraceTree.NameMatches(s, name)).Select(s => s.Service).Distinct(StringComparer.Ordinal).ToList();
        Assert.True(services.Count(s => s.StartsWith(prefix, StringComparison.Ordinal)) >= atLeast && services.All(s => s.StartsWith(prefix, StringComparison.Ordinal)),
            $"'{name}' spans came from [{string.Join(", ", services)}], expected at least {atLeast} service(s) named {prefix}*");
    }

    /// <summary>
    /// Walking up from <paramref name="span"/>, the ancestors meet <paramref name="chain"/> in this order (other spans, e.g.
    /// HTTP client and server spans, may sit between), each on a service named like its prefix, none starting before its parent.
    /// </summary>
    private static void AssertChain(TraceTree tree, CollectedSpan span, params (string Name, string? ServicePrefix)[] chain)
    {
        var ancestors = tree.AncestorsOf(span).ToList();
        var path = string.Join(" < ", new[] { span }.Concat(ancestors).Select(a => $"{a.Name} [{a.Service}]"));
        var at = 0;
        var child = span;
        foreach (var (name, prefix) in chain)
        {
            var index = ancestors.FindIndex(at, a => TraceTree.NameMatches(a, name));
            Assert.True(index >= 0, $"'{name}' is not an ancestor after position {at} of: {path}");
            var ancestor = ancestors[index];
            Assert.True(prefix is null || ancestor.Service.StartsWith(prefix, StringComparison.Ordinal),
                $"'{name}' ran on '{ancestor.Service}', expected {prefix}*: {path}");
            Assert.True(ancestor.Start <= child.Start + TimeSpan.FromMilliseconds(1),
                $"'{child.Name}' starts before its ancestor '{name}': {path}");
            at = index + 1;
            child = ancestor;
        }
    }
}
