using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using CreAspire.Execution.Contracts;
using CreAspire.Execution.Engine;
using CreAspire.Execution.Triggers;
using CreAspire.Execution.Wasm;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Mock;
using CreAspire.Protocol.Sdk;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;

namespace CreAspire.Execution.Bench;

/// <summary>mock@1.0.0 answered in memory, so the figures are the host's own cost.</summary>
internal sealed class EchoMock : IExecutableCapability
{
    public string Id => CapabilityIds.Mock;

    public Task<CapabilityResponse> ExecuteAsync(CapabilityCall call, CancellationToken cancellationToken) =>
        Task.FromResult(new CapabilityResponse { Payload = Any.Pack(new MockOutput { Message = call.Payload!.Unpack<MockInput>().Message }) });
}

public class ExecutionBenchmarks
{
    private WasmWorkflowModuleFactory _factory = null!;
    private WasmWorkflowModule _warm = null!;
    private byte[] _wasm = [];
    private long _salt;
    private ExecuteRequest _request = null!;
    private ModuleExecutionContext _context = null!;

    public static string WorkflowPath => Path.Combine(AppContext.BaseDirectory, "workflows", "hello-cron.wasm");

    [GlobalSetup]
    public void Setup()
    {
        _factory = new WasmWorkflowModuleFactory(new WasmHostOptions());
        _wasm = File.ReadAllBytes(WorkflowPath);
        _warm = _factory.CreateWasm(_wasm);
        var capabilities = new CapabilityRegistry();
        capabilities.AddOrReplace(new EchoMock());
        _context = new ModuleExecutionContext("bench-execution",
            new CapabilityRequestMetadata { WorkflowId = "bench" },
            new CapabilityRegistryDispatcher(capabilities),
            new InMemorySecretsProvider(new Dictionary<(string, string), string>()),
            NullLogger.Instance);
        _request = new ExecuteRequest
        {
            Trigger = new Trigger { Id = 0, Payload = CronTrigger.EventFor("trigger_reg_bench_0", DateTimeOffset.UnixEpoch).Payload },
            MaxResponseSize = 1024 * 1024,
        };
        var check = Warm();
        if (check.ResultCase != ExecutionResult.ResultOneofCase.Value)
        {
            throw new InvalidOperationException($"hello-cron did not succeed in the benchmark setup: {check}");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _factory.Dispose();

    /// <summary>Compiles hello-cron made unique by a custom section, so the per-hash cache never hits.</summary>
    [Benchmark]
    public WasmWorkflowModule ColdCompile()
    {
        var unique = new byte[_wasm.Length + 12];
        _wasm.CopyTo(unique, 0);
        unique[_wasm.Length] = 0;       // custom section id
        unique[_wasm.Length + 1] = 10;  // section size: name length + name + 8-byte salt
        unique[_wasm.Length + 2] = 1;   // name length
        unique[_wasm.Length + 3] = (byte)'b';
        BinaryPrimitives.WriteInt64LittleEndian(unique.AsSpan(_wasm.Length + 4), Interlocked.Increment(ref _salt));
        return _factory.CreateWasm(unique);
    }

    /// <summary>New store + instantiate + run _start + one capability round trip + send_response.</summary>
    [Benchmark]
    public ExecutionResult Warm() => _warm.ExecuteAsync(_request, _context, CancellationToken.None).GetAwaiter().GetResult();
}
