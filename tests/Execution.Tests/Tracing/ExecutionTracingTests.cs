using System.Collections.Concurrent;
using System.Diagnostics;
using CreAspire.Execution.Contracts;
using CreAspire.Execution.Engine;
using CreAspire.Execution.Triggers;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Cron;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Telemetry;
using CreAspire.Telemetry.Testing;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace CreAspire.Execution.Tests.Tracing;

// Engines with a scripted module (the module is not what these tests are about): every node's tick of the same schedule is
// one trace, named by the execution id; the execution is a child of the tick; failures are recorded with their message.
public sealed class ExecutionTracingTests
{
    private static readonly DateTimeOffset Scheduled = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
    private static readonly ActivitySource Tests = new("CreAspire.Tests.Execution");

    [Fact]
    public async Task Every_node_firing_the_same_tick_joins_the_trace_named_by_the_execution_id_with_the_execution_under_the_tick()
    {
        using var collector = new ActivityCollector();
        await using var a = await Node.StartAsync("wf-a");
        await using var b = await Node.StartAsync("wf-b", workflowId: a.WorkflowId);
        var workflowId = a.WorkflowId;

        await a.Cron.FireNowAsync(workflowId, Scheduled);
        await b.Cron.FireNowAsync(workflowId, Scheduled);

        var executionId = Assert.Single(a.Store.Records).ExecutionId;
        Assert.Equal(executionId, Assert.Single(b.Store.Records).ExecutionId);
        var spans = collector.Trace(ExecutionTrace.TraceIdOf(executionId));
        var tree = new TraceTree(spans);
        var fires = tree.Named("cron.fire");
        Assert.Equal(2, fires.Count);
        Assert.All(fires, f =>
        {
            Assert.Null(f.ParentSpanId);
            Assert.Equal(executionId, f.Attribute("workflow.execution_id"));
            Assert.Equal(workflowId, f.Attribute("workflow.id"));
            Assert.Equal($"trigger_reg_{workflowId}_0@2026-11-23T12:00:00.000Z", f.Attribute("workflow.trigger_event_id"));
        });
        var executes = tree.Named("workflow.execute");
        Assert.Equal(2, executes.Count);
        Assert.All(executes, e =>
        {
            Assert.Contains(e.ParentSpanId, fires.Select(f => f.SpanId));
            Assert.Equal("local", e.Attribute("workflow.path"));
            Assert.Equal("succeeded", e.Attribute("outcome"));
            Assert.Equal("7", e.Attribute("don.id"));
            Assert.False(e.IsError);
        });

        // The module (and the capability calls it makes) runs inside workflow.execute.
        Assert.Contains(a.Module.Contexts.Single().SpanId.ToHexString(), executes.Select(e => e.SpanId));
        Assert.Equal(ExecutionTrace.TraceIdOf(executionId), b.Module.Contexts.Single().TraceId);
    }

    [Fact]
    public async Task A_tick_fired_from_a_request_starts_the_executions_own_trace_and_links_the_request()
    {
        using var collector = new ActivityCollector();
        await using var node = await Node.StartAsync("wf-link");
        ActivityContext request;

        using (var http = Tests.StartActivity("POST /workflows/{id}/fire", ActivityKind.Server)!)
        {
            request = http.Context;
            await node.Cron.FireNowAsync(node.WorkflowId, Scheduled);
        }

        var executionId = Assert.Single(node.Store.Records).ExecutionId;
        var fire = Assert.Single(new TraceTree(collector.Trace(ExecutionTrace.TraceIdOf(executionId))).Named("cron.fire"));
        Assert.Null(fire.ParentSpanId);
        var link = Assert.Single(fire.Links);
        Assert.Equal((request.TraceId.ToHexString(), request.SpanId.ToHexString()), (link.TraceId, link.SpanId));
        Assert.Equal("started_by", link.Attributes[TelemetryTags.LinkRelation]);
    }

    [Fact]
    public async Task A_failed_execution_is_an_error_span_with_the_modules_message_and_is_counted_with_its_path_and_duration()
    {
        using var collector = new ActivityCollector();
        using var meter = new MeterCollector(ExecutionTelemetry.SourceName);
        await using var node = await Node.StartAsync("wf-fail", _ => new ExecutionResult { Error = "capability mock@1.0.0 refused the input" });

        await node.Cron.FireNowAsync(node.WorkflowId, Scheduled);

        var record = Assert.Single(node.Store.Records);
        var execute = Assert.Single(new TraceTree(collector.Trace(ExecutionTrace.TraceIdOf(record.ExecutionId))).Named("workflow.execute"));
        Assert.True(execute.IsError);
        Assert.Equal("capability mock@1.0.0 refused the input", execute.StatusMessage);
        Assert.Equal("failed", execute.Attribute("outcome"));
        Assert.True(meter.Sum(ExecutionTelemetry.ExecutionsInstrument, ("workflow.path", "local"), ("outcome", "failed")) >= 1);
        Assert.True(meter.Count(ExecutionTelemetry.ExecutionDurationInstrument, ("workflow.path", "local"), ("outcome", "failed")) >= 1);
    }

    [Fact]
    public async Task A_module_that_throws_records_the_exception_on_workflow_execute_and_the_path_the_module_names()
    {
        using var collector = new ActivityCollector();
        await using var node = await Node.StartAsync("wf-throw", _ => throw new InvalidOperationException("enclave at http://enclave is unreachable"), path: ExecutionPaths.Confidential);

        await node.Cron.FireNowAsync(node.WorkflowId, Scheduled);

        var record = Assert.Single(node.Store.Records);
        var execute = Assert.Single(new TraceTree(collector.Trace(ExecutionTrace.TraceIdOf(record.ExecutionId))).Named("workflow.execute"));
        Assert.True(execute.IsError);
        Assert.Equal("InvalidOperationException: enclave at http://enclave is unreachable", execute.StatusMessage);
        Assert.Equal("confidential", execute.Attribute("workflow.path"));
        var exception = Assert.Single(execute.Events, e => e.Name == "exception");
        Assert.Equal("enclave at http://enclave is unreachable", exception.Attributes["exception.message"]);
    }

    [Fact]
    public async Task A_duplicate_tick_is_marked_on_its_cron_fire_span_and_runs_nothing()
    {
        using var collector = new ActivityCollector();
        await using var node = await Node.StartAsync("wf-dup");

        await node.Cron.FireNowAsync(node.WorkflowId, Scheduled);
        await node.Cron.FireNowAsync(node.WorkflowId, Scheduled);

        var tree = new TraceTree(collector.Trace(ExecutionTrace.TraceIdOf(Assert.Single(node.Store.Records).ExecutionId)));
        Assert.Equal(2, tree.Named("cron.fire").Count);
        Assert.Single(tree.Named("workflow.execute"));
        Assert.Single(tree.Named("cron.fire"), f => f.Events.Any(e => e.Name == "duplicate execution skipped"));
    }

    /// <summary>A workflow node's engine and cron trigger with a scripted module.</summary>
    private sealed class Node : IAsyncDisposable
    {
        private Node(ScriptedModule module, string? workflowId)
        {
            Module = module;
            WorkflowId = workflowId ?? Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        }

        public string WorkflowId { get; }

        public ScriptedModule Module { get; }

        public InMemoryExecutionStore Store { get; } = new();

        public CronTrigger Cron { get; } = new(new FakeTimeProvider(Scheduled.AddDays(-1)));

        private WorkflowEngine Engine { get; set; } = null!;

        public static async Task<Node> StartAsync(string name, Func<ExecuteRequest, ExecutionResult>? onTrigger = null, string path = ExecutionPaths.Local, string? workflowId = null)
        {
            var node = new Node(new ScriptedModule(onTrigger ?? (_ => new ExecutionResult { Value = new Protocol.Values.Value { StringValue = "ok" } }), path), workflowId);
            var factory = new WorkflowEngineFactory(new TriggerRegistry(node.Cron), node.Store, new CapabilityRegistryDispatcher(new CapabilityRegistry()),
                new InMemorySecretsProvider(new Dictionary<(string, string), string>()), NullLoggerFactory.Instance, TimeProvider.System);
            node.Engine = factory.CreateEngine(new EngineConfig { WorkflowId = node.WorkflowId, WorkflowOwner = new string('1', 40), WorkflowName = name, WorkflowDonId = 7 }, node.Module);
            await node.Engine.StartAsync(CancellationToken.None);
            return node;
        }

        public async ValueTask DisposeAsync()
        {
            await Engine.DisposeAsync();
            await Cron.DisposeAsync();
        }
    }

    /// <summary>Subscribes to cron-trigger@1.0.0 (never due on its own) and answers triggers with a function; records the activity it runs in.</summary>
    private sealed class ScriptedModule(Func<ExecuteRequest, ExecutionResult> onTrigger, string path) : IWorkflowModule
    {
        public ConcurrentQueue<ActivityContext> Contexts { get; } = new();

        public string ExecutionPath => path;

        public Task<ExecutionResult> ExecuteAsync(ExecuteRequest request, ModuleExecutionContext context, CancellationToken cancellationToken)
        {
            if (request.RequestCase == ExecuteRequest.RequestOneofCase.Subscribe)
            {
                var subscription = new TriggerSubscription { Id = CapabilityIds.CronTrigger, Method = "Trigger", Payload = Any.Pack(new Config { Schedule = "0 0 0 1 1 *" }) };
                return Task.FromResult(new ExecutionResult { TriggerSubscriptions = new TriggerSubscriptionRequest { Subscriptions = { subscription } } });
            }

            Contexts.Enqueue(Activity.Current?.Context ?? default);
            return Task.FromResult(onTrigger(request));
        }
    }
}
