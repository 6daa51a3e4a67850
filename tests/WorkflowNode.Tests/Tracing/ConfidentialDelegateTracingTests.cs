using System.Collections.Concurrent;
using System.Diagnostics;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Confidential;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Telemetry;
using CreAspire.Telemetry.Testing;
using CreAspire.WorkflowNode.Routing;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreAspire.WorkflowNode.Tests.Tracing;

// ConfidentialModule delegates each execute request in a confidential.delegate span: the confidential-workflows capability
// (which POSTs to the enclave, HttpClient adding traceparent) runs inside it, and a failed delegation is recorded on it.
public sealed class ConfidentialDelegateTracingTests
{
    private static readonly ActivitySource Tests = new("CreAspire.Tests.WorkflowNode");

    private static readonly ConfidentialWorkflowDescriptor Workflow = new(
        "00ab" + new string('3', 60), new string('2', 40), "confidential-wf", "v1", "https://artifacts.local/wf.br.b64",
        System.Security.Cryptography.SHA256.HashData("artifact"u8), []);

    private static readonly ExecuteRequest Trigger = new() { Trigger = new Trigger { Id = 0, Payload = Any.Pack(new StringValue { Value = "tick" }) } };

    [Fact]
    public async Task The_enclave_call_runs_inside_confidential_delegate_which_names_the_workflow_and_the_execution()
    {
        using var collector = new ActivityCollector();
        var seen = new ConcurrentQueue<ActivityContext>();
        var module = ModuleWith(_ =>
        {
            seen.Enqueue(Activity.Current?.Context ?? default);
            var result = new ExecutionResult { Value = new Protocol.Values.Value { StringValue = "ran" } };
            return new CapabilityResponse { Payload = Any.Pack(new ConfidentialWorkflowResponse { ExecutionResult = result.ToByteString() }) };
        });
        var executionId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        Assert.Equal(ExecutionPaths.Confidential, ((IWorkflowModule)module).ExecutionPath);
        using (Tests.StartActivity("workflow.execute", ActivityKind.Internal, ExecutionTrace.RootOf(executionId)))
        {
            await module.ExecuteAsync(Trigger, Context(executionId), CancellationToken.None);
        }

        var span = Assert.Single(new TraceTree(collector.Trace(ExecutionTrace.TraceIdOf(executionId))).Named("confidential.delegate"));
        Assert.Equal(ActivityKind.Client, span.Kind);
        Assert.Equal(Workflow.WorkflowId, span.Attribute("workflow.id"));
        Assert.Equal(executionId, span.Attribute("workflow.execution_id"));
        Assert.Equal("trigger", span.Attribute("workflow.request"));
        Assert.Equal(span.SpanId, Assert.Single(seen).SpanId.ToHexString());
        Assert.False(span.IsError);
    }

    [Fact]
    public async Task A_failed_delegation_is_an_error_on_confidential_delegate_with_the_originals_message()
    {
        using var collector = new ActivityCollector();
        var module = ModuleWith(_ => new CapabilityResponse { Error = "enclave refused: bad binary hash" });
        var executionId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        using (Tests.StartActivity("workflow.execute", ActivityKind.Internal, ExecutionTrace.RootOf(executionId)))
        {
            await Assert.ThrowsAsync<ConfidentialModuleException>(() => module.ExecuteAsync(Trigger, Context(executionId), CancellationToken.None));
        }

        var span = Assert.Single(new TraceTree(collector.Trace(ExecutionTrace.TraceIdOf(executionId))).Named("confidential.delegate"));
        Assert.True(span.IsError);
        Assert.Equal("confidential-workflows capability execution failed: enclave refused: bad binary hash", span.StatusMessage);
        Assert.Contains(span.Events, e => e.Name == "exception" && (string?)e.Attributes["exception.type"] == typeof(ConfidentialModuleException).FullName);
    }

    private static ConfidentialModule ModuleWith(Func<CapabilityCall, CapabilityResponse> answer)
    {
        var registry = new CapabilityRegistry();
        registry.AddOrReplace(new FakeConfidentialCapability(answer));
        return new ConfidentialModule(Workflow, registry);
    }

    private static ModuleExecutionContext Context(string executionId) =>
        new(executionId, new CapabilityRequestMetadata(), NoCapabilities.Instance, NoCapabilities.Instance, NullLogger.Instance);
}
