using System.Security.Cryptography;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Mock;
using CreAspire.Protocol.Sdk;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace CreAspire.MockCapability.Mock;

/// <summary>
/// mock@1.0.0 "Execute": records the request durably, then answers MockOutput{message, data, input_sha256 = sha256(MockInput bytes)},
/// derived only from the input so honest nodes agree byte-for-byte. <see cref="MockOptions.Behavior"/> makes this node misbehave.
/// </summary>
public sealed class MockCapabilityService(MockRequestStore store, IOptions<MockOptions> options, NodeIdentity identity, TimeProvider clock) : IExecutableCapability
{
    public string Id => CapabilityIds.Mock;

    public async Task<CapabilityResponse> ExecuteAsync(CapabilityCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (call.Method != CapabilityIds.ExecuteMethod)
        {
            return new CapabilityResponse { Error = $"{Id} has no method '{call.Method}' (it serves '{CapabilityIds.ExecuteMethod}')" };
        }

        if (call.Payload is null || !call.Payload.Is(MockInput.Descriptor))
        {
            return new CapabilityResponse { Error = $"{Id} {call.Method} expects a MockInput payload, got '{call.Payload?.TypeUrl ?? "none"}'" };
        }

        await store.RecordAsync(call, cancellationToken).ConfigureAwait(false);
        var behavior = options.Value;
        switch (behavior.Behavior)
        {
            case "error":
                return new CapabilityResponse { Error = $"{Id} is configured to fail on node {identity.Name} (Mock:Behavior=error)" };
            case "delay":
                await Task.Delay(TimeSpan.FromMilliseconds(behavior.DelayMs), clock, cancellationToken).ConfigureAwait(false);
                break;
        }

        var inputBytes = call.Payload.Value;
        var input = MockInput.Parser.ParseFrom(inputBytes);
        var output = new MockOutput
        {
            Message = behavior.Behavior == "different" ? $"{input.Message} (different answer from {identity.Name})" : input.Message,
            Data = input.Data,
            InputSha256 = ByteString.CopyFrom(SHA256.HashData(inputBytes.Span)),
        };
        return new CapabilityResponse { Payload = Any.Pack(output) };
    }
}
