using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Confidential;
using CreAspire.Protocol.Sdk;
using CreAspire.WorkflowNode.Routing;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreAspire.WorkflowNode.Tests;

/// <summary>ConfidentialModule builds the reference §2.5 request and maps every failure to the original's message.</summary>
public sealed class ConfidentialModuleTests
{
    private static readonly byte[] BinaryHash = System.Security.Cryptography.SHA256.HashData("artifact"u8);

    private static readonly ConfidentialWorkflowDescriptor Workflow = new(
        "00ab" + new string('1', 60), new string('2', 40), "confidential-wf", "v7", "https://artifacts.local/wf.br.b64", BinaryHash,
        [new WorkflowSecretIdentifier("MOCK_SECRET"), new WorkflowSecretIdentifier("OTHER", "team"), new WorkflowSecretIdentifier("EMPTY_NS", "")]);

    private static readonly ModuleExecutionContext Context = new(
        "exec-42", new CapabilityRequestMetadata { WorkflowDonId = 3, ReferenceId = "ref-1" }, NoCapabilities.Instance, NoCapabilities.Instance, NullLogger.Instance);

    private static readonly ExecuteRequest TriggerRequest = new()
    {
        Config = ByteString.CopyFromUtf8("cfg"),
        Trigger = new Trigger { Id = 9, Payload = Any.Pack(new StringValue { Value = "tick" }) },
        MaxResponseSize = 1234,
    };

    [Fact]
    public async Task Module_sends_every_request_to_the_confidential_capability_with_the_reference_shape()
    {
        var expected = new ExecutionResult { Error = "workflow said hi" };
        var capability = new FakeConfidentialCapability(_ => Answer(expected.ToByteString()));
        var registry = new CapabilityRegistry();
        registry.AddOrReplace(capability);
        var module = new ConfidentialModule(Workflow, registry);

        var result = await module.ExecuteAsync(TriggerRequest, Context, CancellationToken.None);

        Assert.Equal(expected, result);
        var call = Assert.Single(capability.Calls);
        Assert.Equal("confidential-workflows@1.0.0-alpha", call.CapabilityId);
        Assert.Equal("Execute", call.Method);
        Assert.Equal("type.googleapis.com/capabilities.compute.confidentialworkflow.v1alpha.ConfidentialWorkflowRequest", call.Payload!.TypeUrl);
        var request = call.Payload.Unpack<ConfidentialWorkflowRequest>();
        Assert.Equal(
            new[] { ("MOCK_SECRET", "main"), ("OTHER", "team"), ("EMPTY_NS", "main") },
            request.VaultDonSecrets.Select(s => (s.Key, s.Namespace)).ToArray());
        Assert.All(request.VaultDonSecrets, s => Assert.True(s.HasNamespace));
        Assert.Equal(Workflow.WorkflowId, request.Execution.WorkflowId);
        Assert.Equal(Workflow.BinaryUrl, request.Execution.BinaryUrl);
        Assert.Equal(BinaryHash, request.Execution.BinaryHash.ToByteArray());
        Assert.Equal(TriggerRequest.ToByteString(), request.Execution.ExecuteRequest);
        Assert.Equal(Workflow.WorkflowOwner, request.Execution.Owner);
        Assert.Equal("exec-42", request.Execution.ExecutionId);
        Assert.Equal("", request.Execution.OrgId);
        Assert.Equal(
            new CapabilityRequestMetadata
            {
                WorkflowId = Workflow.WorkflowId,
                WorkflowOwner = Workflow.WorkflowOwner,
                WorkflowName = "confidential-wf",
                WorkflowTag = "v7",
                WorkflowExecutionId = "exec-42",
                WorkflowDonId = 3,
                ReferenceId = "ref-1",
            },
            call.Metadata);

        var subscribe = new ExecuteRequest { Subscribe = new Empty() };
        await module.ExecuteAsync(subscribe, Context, CancellationToken.None);
        Assert.Equal(2, capability.Calls.Count);
        Assert.Equal(subscribe.ToByteString(), capability.Calls.Last().Payload!.Unpack<ConfidentialWorkflowRequest>().Execution.ExecuteRequest);
    }

    public static TheoryData<string, string> Failures => new()
    {
        { "not-registered", "failed to get confidential-workflows capability: capability 'confidential-workflows@1.0.0-alpha' is not registered on this node (registered: none)" },
        { "throws", "confidential-workflows capability execution failed: enclave unreachable" },
        { "error-response", "confidential-workflows capability execution failed: quorum not reached" },
        { "no-payload", "confidential-workflows capability returned nil payload" },
        { "wrong-type", "failed to unmarshal capability response: payload is 'type.googleapis.com/google.protobuf.StringValue', expected a capabilities.compute.confidentialworkflow.v1alpha.ConfidentialWorkflowResponse" },
        { "garbage-response", "failed to unmarshal capability response: " },
        { "garbage-result", "failed to unmarshal ExecutionResult: " },
    };

    [Theory]
    [MemberData(nameof(Failures))]
    public async Task Module_maps_each_failure_to_the_reference_message(string failure, string expectedMessage)
    {
        var registry = new CapabilityRegistry();
        if (failure != "not-registered")
        {
            registry.AddOrReplace(new FakeConfidentialCapability(_ => failure switch
            {
                "throws" => throw new HttpRequestException("enclave unreachable"),
                "error-response" => new CapabilityResponse { Error = "quorum not reached" },
                "no-payload" => new CapabilityResponse(),
                "wrong-type" => new CapabilityResponse { Payload = Any.Pack(new StringValue { Value = "x" }) },
                "garbage-response" => new CapabilityResponse
                {
                    Payload = new Any { TypeUrl = "type.googleapis.com/" + ConfidentialWorkflowResponse.Descriptor.FullName, Value = ByteString.CopyFrom(0x0a, 0xff) },
                },
                "garbage-result" => Answer(ByteString.CopyFrom(0x0a, 0xff, 0xff)),
                _ => throw new ArgumentOutOfRangeException(nameof(failure), failure, "unknown case"),
            }));
        }

        var module = new ConfidentialModule(Workflow, registry);

        var error = await Assert.ThrowsAsync<ConfidentialModuleException>(() => module.ExecuteAsync(TriggerRequest, Context, CancellationToken.None));

        Assert.StartsWith(expectedMessage, error.Message, StringComparison.Ordinal);
    }

    private static CapabilityResponse Answer(ByteString executionResult) =>
        new() { Payload = Any.Pack(new ConfidentialWorkflowResponse { ExecutionResult = executionResult }) };
}
