using CreAspire.Execution.Contracts;
using CreAspire.Execution.Engine;
using CreAspire.Execution.Triggers;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Cron;
using CreAspire.Protocol.Mock;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Workflows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace CreAspire.Execution.Tests;

[Collection(HostCollection.Name)]
public sealed class EngineCronTests(HostFixture host)
{
    private static readonly DateTimeOffset Start = new(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);

    /// <summary>One workflow node: its own clock, cron trigger, store, capabilities and engine.</summary>
    private sealed class Node : IAsyncDisposable
    {
        public FakeTimeProvider Time { get; } = new(Start);
        public RecordingMockCapability Mock { get; } = new();
        public InMemoryExecutionStore Store { get; } = new();
        public ListLoggerProvider Logs { get; } = new();
        public CronTrigger Cron { get; }
        public WorkflowEngine Engine { get; }

        public Node(HostFixture host, string workflow, string schedule, uint donId = 7)
        {
            Cron = new CronTrigger(Time);
            var capabilities = new CapabilityRegistry();
            capabilities.AddOrReplace(Mock);
            var loggerFactory = LoggerFactory.Create(b => b.AddProvider(Logs));
            var factory = new WorkflowEngineFactory(new TriggerRegistry(Cron), Store, new CapabilityRegistryDispatcher(capabilities),
                new InMemorySecretsProvider(new Dictionary<(string, string), string> { [("main", "MOCK_SECRET")] = "s3cret-from-vault" }),
                loggerFactory, Time);
            var config = new EngineConfig
            {
                WorkflowId = Contexts.WorkflowId,
                WorkflowOwner = "0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266",
                WorkflowName = workflow,
                WorkflowTag = "v1",
                Config = System.Text.Encoding.UTF8.GetBytes(schedule),
                WorkflowDonId = donId,
            };
            Engine = factory.CreateEngine(config, host.Factory.Create(HostFixture.Workflow(workflow)));
        }

        public async ValueTask DisposeAsync()
        {
            await Engine.DisposeAsync();
            await Cron.DisposeAsync();
        }
    }

    [Fact]
    public async Task Engine_subscribes_and_cron_fires_at_the_schedule_and_records_the_execution()
    {
        await using var node = new Node(host, "hello-cron", "*/10 * * * * *");
        await node.Engine.StartAsync(CancellationToken.None);
        var triggerId = TriggerRegistration.TriggerIdFor(Contexts.WorkflowId, 0);
        Assert.Equal([triggerId], node.Cron.TriggerIds);

        node.Time.Advance(TimeSpan.FromSeconds(9));
        node.Time.Advance(TimeSpan.FromSeconds(1));
        await Wait.UntilAsync(() => node.Store.Records.Any(r => r.Status != ExecutionStatus.Started), "the first cron execution to finish");

        var record = Assert.Single(node.Store.Records);
        var eventId = $"{triggerId}@2026-11-23T12:00:10.000Z";
        Assert.Equal(eventId, record.TriggerEventId);
        Assert.Equal(WorkflowIds.ExecutionId(Contexts.WorkflowId, eventId), record.ExecutionId);
        Assert.Equal(ExecutionStatus.Succeeded, record.Status);
        Assert.Null(record.Error);
        var result = ExecutionResult.Parser.ParseFrom(record.Result);
        var input = Assert.Single(node.Mock.Calls).Payload!.Unpack<MockInput>();
        Assert.Equal(Start.AddSeconds(10), Payload.Parser.ParseFrom(input.Data).ScheduledExecutionTime.ToDateTimeOffset());
        Assert.Equal(RecordingMockCapability.Answer(input).Payload.Value, result.Value.BytesValue);
        Assert.Contains(node.Logs.Lines, l => l.Contains("Workflow execution finished successfully", StringComparison.Ordinal)
            && l.Contains(Contexts.WorkflowId, StringComparison.Ordinal) && l.Contains(record.ExecutionId, StringComparison.Ordinal));

        node.Time.Advance(TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(() => node.Store.Records.Count(r => r.Status == ExecutionStatus.Succeeded) == 2, "the second cron execution");
    }

    [Fact]
    public async Task Capability_requests_carry_the_workflow_metadata()
    {
        await using var node = new Node(host, "hello-cron", "0 0 * * * *", donId: 9);
        await node.Engine.StartAsync(CancellationToken.None);

        await node.Cron.FireNowAsync(Contexts.WorkflowId, Start);

        var metadata = Assert.Single(node.Mock.Calls).Metadata;
        var record = Assert.Single(node.Store.Records);
        Assert.Equal(Contexts.WorkflowId, metadata.WorkflowId);
        Assert.Equal("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", metadata.WorkflowOwner);
        Assert.Equal("hello-cron", metadata.WorkflowName);
        Assert.Equal("v1", metadata.WorkflowTag);
        Assert.Equal(record.ExecutionId, metadata.WorkflowExecutionId);
        Assert.Equal("0", metadata.ReferenceId);
        Assert.Equal(9u, metadata.WorkflowDonId);
    }

    [Fact]
    public async Task Fire_now_gives_every_node_the_same_execution_id_and_a_repeat_is_skipped()
    {
        await using var a = new Node(host, "confidential-mock", "0 0 0 * * *");
        await using var b = new Node(host, "confidential-mock", "0 0 0 * * *");
        await a.Engine.StartAsync(CancellationToken.None);
        await b.Engine.StartAsync(CancellationToken.None);
        var scheduled = new DateTimeOffset(2026, 11, 23, 12, 34, 56, TimeSpan.Zero);

        Assert.Equal(1, await a.Cron.FireNowAsync(Contexts.WorkflowId, scheduled));
        Assert.Equal(1, await b.Cron.FireNowAsync(Contexts.WorkflowId, scheduled));
        await a.Cron.FireNowAsync(Contexts.WorkflowId, scheduled);

        var recordA = Assert.Single(a.Store.Records);
        var recordB = Assert.Single(b.Store.Records);
        Assert.Equal(recordA.ExecutionId, recordB.ExecutionId);
        Assert.Equal(ExecutionStatus.Succeeded, recordA.Status);
        Assert.Equal(recordA.Result, recordB.Result);
        Assert.Single(a.Mock.Calls);
    }

    [Fact]
    public async Task Each_execution_emits_a_span_with_the_workflow_and_execution_ids()
    {
        var spans = new System.Collections.Concurrent.ConcurrentQueue<System.Diagnostics.Activity>();
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == ExecutionTelemetry.SourceName,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        await using var node = new Node(host, "hello-cron", "0 0 * * * *");
        await node.Engine.StartAsync(CancellationToken.None);

        await node.Cron.FireNowAsync(Contexts.WorkflowId, Start.AddHours(5));

        var executionId = Assert.Single(node.Store.Records).ExecutionId;
        var span = Assert.Single(spans, s => s.OperationName == "workflow.execute" && (string?)s.GetTagItem("workflow.execution_id") == executionId);
        Assert.Equal(Contexts.WorkflowId, span.GetTagItem("workflow.id"));
    }

    [Fact]
    public async Task Fire_now_for_a_workflow_without_subscription_says_so()
    {
        await using var cron = new CronTrigger(new FakeTimeProvider(Start));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => cron.FireNowAsync("abc", Start));

        Assert.Contains("workflow 'abc' has no cron-trigger@1.0.0 subscription on this node", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Engine_start_fails_when_the_trigger_capability_is_missing()
    {
        var factory = new WorkflowEngineFactory(new TriggerRegistry(), new InMemoryExecutionStore(),
            new CapabilityRegistryDispatcher(new CapabilityRegistry()), new InMemorySecretsProvider(new Dictionary<(string, string), string>()),
            LoggerFactory.Create(_ => { }), TimeProvider.System);
        await using var engine = factory.Create(new EngineConfig { WorkflowId = "w1", WorkflowOwner = "0x1", WorkflowName = "n" },
            host.Factory.Create(HostFixture.Workflow("hello-cron")));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => engine.StartAsync(CancellationToken.None));

        Assert.Equal("engine initialization failed: workflow w1 subscribes to trigger 'cron-trigger@1.0.0' which is not available on this node (available: )", error.Message);
    }

    [Fact]
    public async Task Invalid_schedule_fails_engine_start_with_the_schedule()
    {
        await using var node = new Node(host, "hello-cron", "every minute");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => node.Engine.StartAsync(CancellationToken.None));

        Assert.Contains("schedule 'every minute' is not a 6-field cron expression", error.Message, StringComparison.Ordinal);
        Assert.Empty(node.Cron.TriggerIds);
    }

    [Fact]
    public void Feature_flags_are_never_null()
    {
        var config = new EngineConfig { WorkflowId = "w", WorkflowOwner = "o", WorkflowName = "n", FeatureFlags = null! };

        Assert.NotNull(config.FeatureFlags);
        Assert.NotNull(new EngineConfig { WorkflowId = "w", WorkflowOwner = "o", WorkflowName = "n" }.FeatureFlags);
    }
}

public sealed class ServiceRegistrationTests
{
    [Fact]
    public async Task AddWorkflowExecution_resolves_the_host_the_cron_trigger_and_the_engine_factory()
    {
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection()
            .AddLogging()
            .AddSingleton<IExecutionStore, InMemoryExecutionStore>()
            .AddSingleton<ICapabilityDispatcher>(new CapabilityRegistryDispatcher(new CapabilityRegistry()))
            .AddSingleton<ISecretsProvider>(new InMemorySecretsProvider(new Dictionary<(string, string), string>()));
        services.AddWorkflowExecution();
        await using var provider = services.BuildServiceProvider();

        Assert.IsType<Wasm.WasmWorkflowModuleFactory>(provider.GetRequiredService<IWorkflowModuleFactory>());
        Assert.IsType<WorkflowEngineFactory>(provider.GetRequiredService<IWorkflowEngineFactory>());
        Assert.True(provider.GetRequiredService<ITriggerRegistry>().TryGet("cron-trigger@1.0.0", out var cron));
        Assert.Same(provider.GetRequiredService<CronTrigger>(), cron);
    }
}
