using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Sdk;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace CreAspire.Enclave.Tests;

/// <summary>
/// Stand-in for the Wasmtime module factory (a boundary these tests are not about): the "binary" is a WASM header plus
/// a marker, and the module behaves like a workflow calling get_secrets / call_capability, chosen by ExecuteRequest.config.
/// </summary>
public static class TestWorkflows
{
    public const string Echo = "echo";
    public const string SecretsAndCapability = "secrets-and-capability";
    public const string CallsFailingCapability = "failing-capability";
    public const string Blocks = "block";
    public const string FailingCapability = "failing@1.0.0";
    public const string MockCapability = "mock@1.0.0";

    /// <summary>"\0asm" version 1 followed by a marker the factory recognises.</summary>
    public static byte[] Wasm { get; } = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, .. "creaspire-test-workflow"u8];

    /// <summary>The artifact as the artifacts server stores it: base64(brotli(wasm)).</summary>
    public static byte[] Artifact { get; } = Encoding.ASCII.GetBytes(Convert.ToBase64String(Brotli(Wasm)));

    /// <summary>binary_hash = sha256 of the artifact bytes as fetched.</summary>
    public static byte[] ArtifactHash { get; } = SHA256.HashData(Artifact);

    private static byte[] Brotli(byte[] data)
    {
        using var output = new MemoryStream();
        using (var brotli = new BrotliStream(output, CompressionLevel.Optimal))
        {
            brotli.Write(data);
        }

        return output.ToArray();
    }
}

public sealed class TestModuleFactory : IWorkflowModuleFactory
{
    /// <summary>Released by a test to let "block" runs finish.</summary>
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IWorkflowModule Create(byte[] wasm) => wasm.AsSpan().SequenceEqual(TestWorkflows.Wasm)
        ? new TestWorkflowModule(Gate)
        : throw new InvalidOperationException("not the test workflow binary");
}

internal sealed class TestWorkflowModule(TaskCompletionSource gate) : IWorkflowModule
{
    public async Task<ExecutionResult> ExecuteAsync(ExecuteRequest request, ModuleExecutionContext context, CancellationToken cancellationToken)
    {
        switch (request.Config.ToStringUtf8())
        {
            case TestWorkflows.SecretsAndCapability:
                var secrets = await context.Secrets.GetSecretsAsync([new SecretRequest { Id = "MOCK_SECRET" }], context.Metadata, cancellationToken);
                if (secrets[0].ResponseCase != SecretResponse.ResponseOneofCase.Secret)
                {
                    return new ExecutionResult { Error = secrets[0].Error.Error };
                }

                var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secrets[0].Secret.Value)));
                var call = new CapabilityRequest { Id = TestWorkflows.MockCapability, Method = "Execute", CallbackId = 7, Payload = Any.Pack(new StringValue { Value = digest }) };
                var response = await context.Capabilities.CallAsync(call, context.Metadata, cancellationToken);
                return response.ResponseCase == CapabilityResponse.ResponseOneofCase.Payload
                    ? Text(response.Payload.Unpack<StringValue>().Value)
                    : new ExecutionResult { Error = response.Error };

            case TestWorkflows.CallsFailingCapability:
                var failed = await context.Capabilities.CallAsync(new CapabilityRequest { Id = TestWorkflows.FailingCapability, Method = "Execute", CallbackId = 1, Payload = Any.Pack(new StringValue { Value = "x" }) }, context.Metadata, cancellationToken);
                return new ExecutionResult { Error = failed.Error };

            case TestWorkflows.Blocks:
                await gate.Task.WaitAsync(cancellationToken);
                return Text($"ran {context.ExecutionId}");

            default:
                return Text($"ran {context.ExecutionId}");
        }
    }

    private static ExecutionResult Text(string text) => new() { Value = new CreAspire.Protocol.Values.Value { StringValue = text } };
}
