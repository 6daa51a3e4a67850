using CreAspire.Execution.Wasm;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Cron;
using CreAspire.Protocol.Sdk;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace CreAspire.Execution.Tests;

/// <summary>Each broken module fails with its own error, and the same host then still runs hello-cron correctly.</summary>
[Collection(HostCollection.Name)]
public sealed class HostFailureTests(HostFixture host)
{
    private const string Marker = """(import "env" "version_v2_test" (func))""";
    private const string Send = """(import "env" "send_response" (func $send (param i32 i32) (result i32)))""";

    // ExecutionResult{error = "ok"}: tag 0x12 (field 2, length-delimited), length 2.
    private static string Module(string body, string imports = Marker + Send, string memory = """(memory (export "memory") 1)""") => $$"""
        (module
          {{imports}}
          {{memory}}
          (data (i32.const 0) "\12\02ok")
          (data (i32.const 16) "\0a\ff\01")
          {{body}})
        """;

    private static readonly ExecuteRequest Request = new() { Subscribe = new Empty(), MaxResponseSize = 1024 };

    [Fact]
    public async Task A_valid_text_module_runs_and_its_response_is_returned()
    {
        var module = host.Factory.CreateFromText(Module("""(func (export "_start") (drop (call $send (i32.const 0) (i32.const 4))))"""));

        var result = await Run(module);

        Assert.Equal("ok", result.Error);
        await AssertHostStillServes();
    }

    [Theory]
    [InlineData("""(memory 1) (func (export "_start"))""", "does not export its linear memory as \"memory\"")]
    [InlineData("""(memory (export "memory") 1) (func (export "main"))""", "does not export \"_start\"")]
    public async Task Module_without_memory_or_start_is_rejected(string body, string expected)
    {
        var error = Assert.Throws<InvalidOperationException>(() => host.Factory.CreateFromText($"(module {Marker} {body})"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        await AssertHostStillServes();
    }

    [Fact]
    public async Task Module_without_version_marker_is_rejected_as_legacy()
    {
        var error = Assert.Throws<InvalidOperationException>(() =>
            host.Factory.CreateFromText("""(module (memory (export "memory") 1) (func (export "_start")))"""));

        Assert.Contains("does not import an \"env\" function named \"version_v2*\"", error.Message, StringComparison.Ordinal);
        await AssertHostStillServes();
    }

    [Fact]
    public async Task Module_with_an_import_the_host_does_not_provide_is_rejected_naming_it()
    {
        var error = Assert.Throws<InvalidOperationException>(() => host.Factory.CreateFromText(Module(
            """(func (export "_start"))""", Marker + """(import "env" "steal_keys" (func (param i32)))""")));

        Assert.Contains("imports env.steal_keys which the host does not provide", error.Message, StringComparison.Ordinal);
        await AssertHostStillServes();
    }

    [Fact]
    public void Bytes_that_are_not_webassembly_are_rejected()
    {
        var error = Assert.Throws<InvalidOperationException>(() => host.Factory.Create([1, 2, 3, 4, 5, 6, 7, 8]));

        Assert.Contains("is not a valid WebAssembly module", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Trap_fails_the_execution_with_the_trap_reason()
    {
        var module = host.Factory.CreateFromText(Module("""(func (export "_start") unreachable)"""));

        var result = await Run(module);

        Assert.StartsWith("module trapped: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("unreachable", result.Error, StringComparison.Ordinal);
        await AssertHostStillServes();
    }

    [Fact]
    public async Task Infinite_loop_fails_at_the_deadline()
    {
        var module = host.Factory.CreateFromText(Module("""(func (export "_start") (loop $spin (br $spin)))"""));

        var result = await Run(module, TimeSpan.FromMilliseconds(300));

        Assert.Equal("execution deadline of 300 ms exceeded (runaway loop or slow capability)", result.Error);
        await AssertHostStillServes();
    }

    [Fact]
    public async Task Memory_bomb_fails_at_the_memory_limit()
    {
        var module = host.Factory.CreateFromText(Module("""
            (func (export "_start")
              (loop $grow
                (br_if $grow (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
              unreachable)
            """));

        var result = await Run(module);

        Assert.StartsWith($"module exceeded the memory limit of {host.Factory.Options.MaxMemoryBytes} bytes", result.Error, StringComparison.Ordinal);
        await AssertHostStillServes();
    }

    [Fact]
    public async Task Oversize_response_fails_with_the_sizes()
    {
        var module = host.Factory.CreateFromText(Module("""(func (export "_start") (drop (call $send (i32.const 0) (i32.const 4096))))"""));

        var result = await Run(module);

        Assert.Equal("response of 4096 bytes exceeds max_response_size 1024", result.Error);
        await AssertHostStillServes();
    }

    [Fact]
    public async Task Garbage_protobuf_response_fails_as_malformed()
    {
        var module = host.Factory.CreateFromText(Module("""(func (export "_start") (drop (call $send (i32.const 16) (i32.const 3))))"""));

        var result = await Run(module);

        Assert.StartsWith("module sent a malformed ExecutionResult (3 bytes)", result.Error, StringComparison.Ordinal);
        await AssertHostStillServes();
    }

    [Fact]
    public async Task Garbage_capability_request_is_refused_with_an_error_in_the_buffer()
    {
        // call_capability on the 3 garbage bytes; store the negative return (-len) at 100 and echo the error text back.
        var module = host.Factory.CreateFromText(Module("""
            (func (export "_start") (local $rc i64)
              (local.set $rc (call $call (i32.const 16) (i32.const 3) (i32.const 200) (i32.const 100)))
              (i32.store8 (i32.const 198) (i32.const 0x12))
              (i32.store8 (i32.const 199) (i32.wrap_i64 (i64.sub (i64.const 0) (local.get $rc))))
              (drop (call $send (i32.const 198) (i32.add (i32.const 2) (i32.wrap_i64 (i64.sub (i64.const 0) (local.get $rc)))))))
            """, Marker + Send + """(import "env" "call_capability" (func $call (param i32 i32 i32 i32) (result i64)))"""));

        var result = await Run(module);

        Assert.StartsWith("malformed CapabilityRequest", result.Error, StringComparison.Ordinal);
        await AssertHostStillServes();
    }

    [Fact]
    public async Task Pending_calls_beyond_the_limit_are_refused()
    {
        using var factory = new WasmWorkflowModuleFactory(new WasmHostOptions { MaxPendingCalls = 2 });
        // Three CapabilityRequest{id:"a", callback_id: 1|2|3}; the third call's error is echoed back as the response.
        var module = factory.CreateFromText(Module("""
            (data (i32.const 32) "\0a\01\61\20\01")
            (data (i32.const 40) "\0a\01\61\20\02")
            (data (i32.const 48) "\0a\01\61\20\03")
            (func (export "_start") (local $rc i64)
              (drop (call $call (i32.const 32) (i32.const 5) (i32.const 200) (i32.const 100)))
              (drop (call $call (i32.const 40) (i32.const 5) (i32.const 200) (i32.const 100)))
              (local.set $rc (call $call (i32.const 48) (i32.const 5) (i32.const 200) (i32.const 100)))
              (i32.store8 (i32.const 198) (i32.const 0x12))
              (i32.store8 (i32.const 199) (i32.wrap_i64 (i64.sub (i64.const 0) (local.get $rc))))
              (drop (call $send (i32.const 198) (i32.add (i32.const 2) (i32.wrap_i64 (i64.sub (i64.const 0) (local.get $rc)))))))
            """, Marker + Send + """(import "env" "call_capability" (func $call (param i32 i32 i32 i32) (result i64)))"""));

        var result = await module.ExecuteAsync(Request, Contexts.For(new CapabilityRegistry()), CancellationToken.None);

        Assert.Equal("too many pending calls: the limit is 2; await some before calling more", result.Error);
    }

    [Fact]
    public async Task Two_parameter_call_capability_returns_the_callback_id()
    {
        // CapabilityRequest{id:"a", callback_id: 5}: answer "ok" when the host returns 5, else trap.
        var module = host.Factory.CreateFromText(Module("""
            (data (i32.const 32) "\0a\01\61\20\05")
            (func (export "_start")
              (if (i64.ne (call $call (i32.const 32) (i32.const 5)) (i64.const 5)) (then unreachable))
              (drop (call $send (i32.const 0) (i32.const 4))))
            """, Marker + Send + """(import "env" "call_capability" (func $call (param i32 i32) (result i64)))"""));

        var result = await Run(module);

        Assert.Equal("ok", result.Error);
    }

    [Fact]
    public async Task Module_that_returns_without_a_response_fails_clearly()
    {
        var module = host.Factory.CreateFromText(Module("""(func (export "_start"))"""));

        var result = await Run(module);

        Assert.Equal("module finished without calling send_response", result.Error);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_throws()
    {
        var module = host.Factory.CreateFromText(Module("""(func (export "_start") (loop $spin (br $spin)))"""));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            module.ExecuteAsync(Request, Contexts.For(new CapabilityRegistry()), cancel.Token));
    }

    private static Task<ExecutionResult> Run(WasmWorkflowModule module, TimeSpan? timeout = null) =>
        module.ExecuteAsync(Request, Contexts.For(new CapabilityRegistry(), timeout: timeout), CancellationToken.None);

    private async Task AssertHostStillServes()
    {
        var registry = new CapabilityRegistry();
        registry.AddOrReplace(new RecordingMockCapability());
        var module = host.Factory.Create(HostFixture.Workflow("hello-cron"));
        var request = new ExecuteRequest
        {
            Trigger = new Trigger { Id = 0, Payload = Any.Pack(new Payload { ScheduledExecutionTime = Timestamp.FromDateTimeOffset(DateTimeOffset.UnixEpoch) }) },
        };

        var result = await module.ExecuteAsync(request, Contexts.For(registry), CancellationToken.None);

        Assert.Equal(ExecutionResult.ResultOneofCase.Value, result.ResultCase);
    }
}
