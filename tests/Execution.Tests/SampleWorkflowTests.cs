using System.Security.Cryptography;
using System.Text;
using CreAspire.Execution.Engine;
using CreAspire.Execution.Triggers;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Cron;
using CreAspire.Protocol.Mock;
using CreAspire.Protocol.Sdk;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace CreAspire.Execution.Tests;

[Collection(HostCollection.Name)]
public sealed class SampleWorkflowTests(HostFixture host)
{
    private static readonly DateTimeOffset Tick = new(2026, 11, 23, 12, 0, 30, TimeSpan.Zero);

    private static ExecuteRequest Subscribe(string config) =>
        new() { Config = ByteString.CopyFromUtf8(config), Subscribe = new Empty(), MaxResponseSize = 1024 * 1024 };

    private static ExecuteRequest TriggerAt(DateTimeOffset scheduled, ulong index = 0) => new()
    {
        Config = ByteString.CopyFromUtf8("*/30 * * * * *"),
        Trigger = new Trigger { Id = index, Payload = CronTrigger.EventFor("trigger_reg_x_0", scheduled).Payload },
        MaxResponseSize = 1024 * 1024,
    };

    [Theory]
    [InlineData("hello-cron", "0 */5 * * * *", "0 */5 * * * *")]
    [InlineData("hello-cron", "", "*/30 * * * * *")]
    [InlineData("confidential-mock", "*/10 * * * * *", "*/10 * * * * *")]
    public async Task Subscribe_returns_the_cron_subscription_with_the_configured_schedule(string workflow, string config, string schedule)
    {
        var module = host.Factory.Create(HostFixture.Workflow(workflow));

        var result = await module.ExecuteAsync(Subscribe(config), Contexts.For(new CapabilityRegistry()), CancellationToken.None);

        Assert.Equal(ExecutionResult.ResultOneofCase.TriggerSubscriptions, result.ResultCase);
        var subscription = Assert.Single(result.TriggerSubscriptions.Subscriptions);
        Assert.Equal("cron-trigger@1.0.0", subscription.Id);
        Assert.Equal("Trigger", subscription.Method);
        Assert.Equal("type.googleapis.com/capabilities.scheduler.cron.v1.Config", subscription.Payload.TypeUrl);
        Assert.Equal(schedule, subscription.Payload.Unpack<Config>().Schedule);
    }

    [Fact]
    public async Task Hello_cron_trigger_calls_mock_with_exactly_the_expected_input_and_returns_its_answer()
    {
        var mock = new RecordingMockCapability();
        var registry = new CapabilityRegistry();
        registry.AddOrReplace(mock);
        var module = host.Factory.Create(HostFixture.Workflow("hello-cron"));
        var request = TriggerAt(Tick);

        var result = await module.ExecuteAsync(request, Contexts.For(registry, executionId: "exec-42"), CancellationToken.None);

        Assert.Equal(ExecutionResult.ResultOneofCase.Value, result.ResultCase);
        var call = Assert.Single(mock.Calls);
        var expectedInput = new MockInput { Message = "hello-cron", Data = request.Trigger.Payload.Value };
        Assert.Equal(CapabilityIds.Mock, call.CapabilityId);
        Assert.Equal("Execute", call.Method);
        Assert.Equal("type.googleapis.com/capabilities.mock.v1.MockInput", call.Payload!.TypeUrl);
        Assert.Equal(expectedInput.ToByteArray(), call.Payload.Value.ToByteArray());
        Assert.Equal(Tick, Payload.Parser.ParseFrom(call.Payload.Unpack<MockInput>().Data).ScheduledExecutionTime.ToDateTimeOffset());
        Assert.Equal("exec-42", call.Metadata.WorkflowExecutionId);
        Assert.Equal("0", call.Metadata.ReferenceId);
        Assert.Equal(Contexts.WorkflowId, call.Metadata.WorkflowId);
        Assert.Equal(RecordingMockCapability.Answer(expectedInput).Payload.Value.ToByteArray(), result.Value.BytesValue.ToByteArray());
    }

    [Fact]
    public async Task Confidential_mock_sends_the_sha256_of_the_secret_to_the_mock()
    {
        const string secret = "s3cret-from-vault";
        var mock = new RecordingMockCapability();
        var registry = new CapabilityRegistry();
        registry.AddOrReplace(mock);
        var secrets = new InMemorySecretsProvider(new Dictionary<(string, string), string> { [("main", "MOCK_SECRET")] = secret });
        var module = host.Factory.Create(HostFixture.Workflow("confidential-mock"));

        var result = await module.ExecuteAsync(TriggerAt(Tick), Contexts.For(registry, secrets), CancellationToken.None);

        Assert.Equal(ExecutionResult.ResultOneofCase.Value, result.ResultCase);
        var input = Assert.Single(mock.Calls).Payload!.Unpack<MockInput>();
        Assert.Equal("confidential-mock", input.Message);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(secret)), input.Data.ToByteArray());
        Assert.Equal(RecordingMockCapability.Answer(input).Payload.Value, result.Value.BytesValue);
    }

    [Fact]
    public async Task Confidential_mock_fails_with_the_secret_error_when_the_secret_is_missing()
    {
        var registry = new CapabilityRegistry();
        registry.AddOrReplace(new RecordingMockCapability());
        var module = host.Factory.Create(HostFixture.Workflow("confidential-mock"));

        var result = await module.ExecuteAsync(TriggerAt(Tick), Contexts.For(registry), CancellationToken.None);

        Assert.Equal("secret MOCK_SECRET: secret 'MOCK_SECRET' not found in namespace 'main'", result.Error);
    }

    [Fact]
    public async Task Unknown_capability_fails_the_execution_with_the_missing_id()
    {
        var module = host.Factory.Create(HostFixture.Workflow("hello-cron"));

        var result = await module.ExecuteAsync(TriggerAt(Tick), Contexts.For(new CapabilityRegistry()), CancellationToken.None);

        Assert.Equal("mock@1.0.0 failed: capability 'mock@1.0.0' is not registered on this node (registered: none)", result.Error);
    }

    [Fact]
    public async Task Trigger_with_an_index_that_has_no_handler_fails_with_a_clear_error()
    {
        var module = host.Factory.Create(HostFixture.Workflow("hello-cron"));

        var result = await module.ExecuteAsync(TriggerAt(Tick, index: 3), Contexts.For(new CapabilityRegistry()), CancellationToken.None);

        Assert.Equal("trigger id 3 has no handler (workflow has 1)", result.Error);
    }

    [Fact]
    public async Task Two_hundred_concurrent_executions_all_complete_with_correct_results()
    {
        var mock = new RecordingMockCapability();
        var registry = new CapabilityRegistry();
        registry.AddOrReplace(mock);
        var module = host.Factory.Create(HostFixture.Workflow("hello-cron"));

        var runs = Enumerable.Range(0, 200).Select(async i =>
        {
            var request = TriggerAt(Tick.AddSeconds(30 * i));
            var result = await module.ExecuteAsync(request, Contexts.For(registry, executionId: $"exec-{i}"), CancellationToken.None);
            return (Expected: RecordingMockCapability.Answer(new MockInput { Message = "hello-cron", Data = request.Trigger.Payload.Value }).Payload.Value, result);
        }).ToArray();
        var results = await Task.WhenAll(runs).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(results, r => Assert.Equal(r.Expected, r.result.Value.BytesValue));
        Assert.Equal(200, mock.Calls.Count);
        Assert.Equal(200, mock.Calls.Select(c => c.Metadata.WorkflowExecutionId).Distinct().Count());
    }

    [Fact]
    public void Same_binary_is_compiled_once()
    {
        var wasm = HostFixture.Workflow("hello-cron");

        var first = host.Factory.Create(wasm);
        var second = host.Factory.Create(wasm.ToArray());

        Assert.Same(first, second);
    }
}
