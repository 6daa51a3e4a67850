using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Sdk;
using Google.Protobuf;
using Wasmtime;

namespace CreAspire.Execution.Wasm;

/// <summary>
/// A compiled workflow binary. Each <see cref="ExecuteAsync"/> instantiates it in a new store with the memory cap and
/// deadline, runs <c>_start</c> on a dedicated thread, and returns the module's ExecutionResult.
/// Failure policy: anything the module does wrong (trap, abort, deadline, memory limit, oversize or malformed
/// response, bad host call) is returned as <c>ExecutionResult.Error</c> with the reason; only cancellation by the
/// caller's token throws (<see cref="OperationCanceledException"/>).
/// </summary>
public sealed class WasmWorkflowModule : IWorkflowModule
{
    private readonly Module _module;
    private readonly Linker _linker;
    private readonly WasmWorkflowModuleFactory _host;

    internal WasmWorkflowModule(string binaryHash, Module module, Linker linker, WasmWorkflowModuleFactory host)
    {
        BinaryHash = binaryHash;
        _module = module;
        _linker = linker;
        _host = host;
    }

    /// <summary>Hex sha256 of the raw WASM ("wat" for text modules).</summary>
    public string BinaryHash { get; }

    public Task<ExecutionResult> ExecuteAsync(ExecuteRequest request, ModuleExecutionContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(context);
        cancellationToken.ThrowIfCancellationRequested();
        // Host calls block while awaiting capabilities, so the guest gets its own thread rather than a pool thread.
        return Task.Factory.StartNew(
            () => Execute(request, context, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning | TaskCreationOptions.DenyChildAttach,
            TaskScheduler.Default);
    }

    private ExecutionResult Execute(ExecuteRequest request, ModuleExecutionContext context, CancellationToken cancellationToken)
    {
        var options = _host.Options;
        var timeout = context.Timeout ?? options.DefaultTimeout;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);

        var maxResponseSize = request.MaxResponseSize != 0 ? request.MaxResponseSize : options.DefaultMaxResponseSize;
        var argument = System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(request.ToByteArray()));
        var state = new WasmExecution(context, options, _host.TimeProvider, argument, maxResponseSize, deadline.Token);

        using var store = new Store(_host.Engine, state);
        store.SetLimits(memorySize: options.MaxMemoryBytes, tableElements: 100_000, instances: 1, tables: 4, memories: 1);
        store.SetEpochDeadline(1);
        store.SetEpochDeadlineCallback(_ => deadline.IsCancellationRequested
            ? throw state.Fault(cancellationToken.IsCancellationRequested
                ? "execution cancelled"
                : $"execution deadline of {timeout.TotalMilliseconds:0} ms exceeded (runaway loop or slow capability)")
            : 1UL);

        Instance? instance = null;
        try
        {
            instance = _linker.Instantiate(store, _module);
            var start = instance.GetAction("_start") ?? throw new InvalidOperationException("_start is not a () -> () function");
            start();
        }
        catch (Exception e) when (e is WasmtimeException or TrapException or HostFaultException)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!(state.ExitCode == 0 && state.Failure is null))
            {
                return Error(state.Failure ?? DescribeTrap(e, instance, options));
            }
        }
        finally
        {
            // Stops any capability call the module started but never awaited.
            deadline.Cancel();
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (state.Failure is not null)
        {
            return Error(state.Failure);
        }

        return state.Response ?? Error("module finished without calling send_response");
    }

    private static string DescribeTrap(Exception e, Instance? instance, WasmHostOptions options)
    {
        var message = TrapReason(e);
        if (instance is null)
        {
            return $"module could not be instantiated: {message}";
        }

        // A failed memory.grow is reported by most guests as an abort or an unreachable trap: name the real cause.
        var memoryBytes = instance.GetMemory("memory")?.GetLength() ?? 0;
        return memoryBytes + MemoryLimitMargin > options.MaxMemoryBytes
            ? $"module exceeded the memory limit of {options.MaxMemoryBytes} bytes ({memoryBytes} bytes in use): {message}"
            : $"module trapped: {message}";
    }

    // Guests grow memory in chunks, so a failed grow leaves them somewhat below the cap.
    private const long MemoryLimitMargin = 2 * 1024 * 1024;

    /// <summary>Wasmtime messages carry a backtrace; the reason is the "wasm trap: ..." line (or the last line).</summary>
    private static string TrapReason(Exception e)
    {
        var lines = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var reason = lines.FirstOrDefault(l => l.Contains("wasm trap:", StringComparison.Ordinal)) ?? lines.LastOrDefault() ?? e.GetType().Name;
        return reason.StartsWith("Caused by:", StringComparison.Ordinal) ? reason["Caused by:".Length..].Trim() : reason;
    }

    private static ExecutionResult Error(string message) => new() { Error = message };

    /// <summary>
    /// Frees the compiled module. Only the factory calls this: it caches modules per binary hash and hands the same instance
    /// to every caller, so a caller disposing "its" module would break the next execution of that binary.
    /// </summary>
    internal void Release()
    {
        _linker.Dispose();
        _module.Dispose();
    }
}
