using System.Collections.Concurrent;
using System.Security.Cryptography;
using CreAspire.Execution.Contracts;
using CreAspire.Execution.Engine;
using CreAspire.Execution.Wasm;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Mock;
using CreAspire.Protocol.Sdk;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreAspire.Execution.Tests;

/// <summary>mock@1.0.0 as the capability DON answers: MockOutput{message, data, sha256(serialized input)}; records every call.</summary>
internal sealed class RecordingMockCapability : IExecutableCapability
{
    public ConcurrentQueue<CapabilityCall> Calls { get; } = new();

    public string Id => CapabilityIds.Mock;

    public Task<CapabilityResponse> ExecuteAsync(CapabilityCall call, CancellationToken cancellationToken)
    {
        Calls.Enqueue(call);
        return Task.FromResult(Answer(call.Payload!.Unpack<MockInput>()));
    }

    public static CapabilityResponse Answer(MockInput input) => new()
    {
        Payload = Any.Pack(new MockOutput { Message = input.Message, Data = input.Data, InputSha256 = ByteString.CopyFrom(SHA256.HashData(input.ToByteArray())) }),
    };
}

/// <summary>One WASM host for the whole test assembly, as a node has one.</summary>
public sealed class HostFixture : IDisposable
{
    public WasmWorkflowModuleFactory Factory { get; } = new(new WasmHostOptions { DefaultTimeout = TimeSpan.FromSeconds(20) });

    public static byte[] Workflow(string name)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "workflows", name + ".wasm");
        return File.Exists(path) ? File.ReadAllBytes(path) : throw new FileNotFoundException($"sample workflow {path} was not built", path);
    }

    public void Dispose() => Factory.Dispose();
}

[CollectionDefinition(Name)]
public sealed class HostCollection : ICollectionFixture<HostFixture>
{
    public const string Name = "wasm host";
}

internal static class Contexts
{
    public const string WorkflowId = "00a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f";

    public static ModuleExecutionContext For(
        ICapabilityRegistry capabilities,
        ISecretsProvider? secrets = null,
        string executionId = "exec-1",
        TimeSpan? timeout = null,
        ILogger? logger = null) =>
        new(executionId,
            new CapabilityRequestMetadata { WorkflowId = WorkflowId, WorkflowOwner = "0xowner", WorkflowName = "test", WorkflowExecutionId = executionId, WorkflowDonId = 1 },
            new CapabilityRegistryDispatcher(capabilities),
            secrets ?? new InMemorySecretsProvider(new Dictionary<(string, string), string>()),
            logger ?? NullLogger.Instance)
        {
            Timeout = timeout,
        };
}

/// <summary>Captures log lines so tests can assert on them.</summary>
internal sealed class ListLoggerProvider : ILoggerProvider
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new ListLogger(Lines);

    public void Dispose()
    {
    }

    private sealed class ListLogger(ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue(formatter(state, exception));
    }
}

internal static class Wait
{
    /// <summary>Polls <paramref name="condition"/> until true or the deadline passes.</summary>
    public static async Task UntilAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(20);
        }
    }
}
