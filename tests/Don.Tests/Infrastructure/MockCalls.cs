using CreAspire.MockCapability.Mock;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Mock;
using CreAspire.Protocol.Sdk;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace CreAspire.Don.Tests.Infrastructure;

/// <summary>Builds mock@1.0.0 calls and reads capability node records.</summary>
public static class MockCalls
{
    public static CapabilityCall Call(string executionId, string referenceId = "1", string message = "hello", uint workflowDonId = 0) =>
        new(CapabilityIds.Mock, CapabilityIds.ExecuteMethod,
            Any.Pack(new MockInput { Message = message, Data = ByteString.CopyFromUtf8("data-" + executionId) }),
            new CapabilityRequestMetadata
            {
                WorkflowId = "00aa" + new string('1', 60),
                WorkflowOwner = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
                WorkflowName = "mock-test",
                WorkflowExecutionId = executionId,
                ReferenceId = referenceId,
                WorkflowDonId = workflowDonId,
            });

    public static MockOutput Output(CapabilityResponse response)
    {
        Assert.True(response.ResponseCase == CapabilityResponse.ResponseOneofCase.Payload, $"expected a payload, got error '{response.Error}'");
        return response.Payload.Unpack<MockOutput>();
    }

    /// <summary>Every caller node calls concurrently, as the nodes of a DON do.</summary>
    public static Task<CapabilityResponse[]> FromAllAsync(IEnumerable<CallerNode> callers, Func<CapabilityCall> call) =>
        Task.WhenAll(callers.Select(c => c.Registry.Get(CapabilityIds.Mock).ExecuteAsync(call(), CancellationToken.None)));

    public static Task<IReadOnlyList<MockRequestRecord>> RecordsAsync(CapabilityNode node, string executionId) =>
        node.Get<MockRequestStore>().ListAsync(new MockRequestFilter(ExecutionId: executionId), CancellationToken.None);
}
