using System.Collections.Concurrent;
using CreAspire.Protocol.Capabilities;
using CapabilityResponse = CreAspire.Protocol.Sdk.CapabilityResponse;
using CreAspire.Protocol.Vault;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace CreAspire.Gateway.Tests.Support;

/// <summary>A capability that records calls and answers with a function of the call.</summary>
internal sealed class RecordingCapability(string id, Func<CapabilityCall, CapabilityResponse> answer) : IExecutableCapability
{
    public ConcurrentQueue<CapabilityCall> Calls { get; } = new();

    public string Id => id;

    public Task<CapabilityResponse> ExecuteAsync(CapabilityCall call, CancellationToken cancellationToken)
    {
        Calls.Enqueue(call);
        return Task.FromResult(answer(call));
    }

    /// <summary>mock@1.0.0 stand-in: echoes the input payload's value with a prefix.</summary>
    public static RecordingCapability Mock() => new(CapabilityIds.Mock, call =>
        new CapabilityResponse { Payload = Any.Pack(new StringValue { Value = "mock:" + call.Payload?.Unpack<StringValue>().Value }) });

    /// <summary>vault@1.0.0 stand-in: each requested secret sealed as hex "0x" + hex(key), or an error for keys starting with "missing".</summary>
    public static RecordingCapability Vault() => new(CapabilityIds.Vault, call =>
    {
        var request = call.Payload!.Unpack<GetSecretsRequest>();
        var response = new GetSecretsResponse();
        foreach (var secret in request.Requests)
        {
            response.Responses.Add(secret.Id.Key.StartsWith("missing", StringComparison.Ordinal)
                ? new SecretResponse { Id = secret.Id, Error = "secret not found" }
                : new SecretResponse
                {
                    Id = secret.Id,
                    Data = new SecretData
                    {
                        EncryptedValue = Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes("sealed:" + secret.Id.Key)),
                        EncryptedDecryptionKeyShares = { new EncryptedShares { EncryptionKey = secret.EncryptionKeys[0], Shares = { "0a0b" } } },
                    },
                });
        }

        return new CapabilityResponse { Payload = Any.Pack(response) };
    });

    public static ByteString Bytes(string text) => ByteString.CopyFromUtf8(text);
}
