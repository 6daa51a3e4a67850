using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Sdk;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Wasmtime;

namespace CreAspire.Execution.Wasm;

/// <summary>
/// The state of one execution (the store's data): argv, outstanding capability and secret calls, the response, and the
/// first failure. Host imports run on the execution's thread; capability calls run concurrently on their own tasks.
/// </summary>
internal sealed partial class WasmExecution(
    ModuleExecutionContext context,
    WasmHostOptions options,
    TimeProvider timeProvider,
    byte[] argument,
    ulong maxResponseSize,
    CancellationToken deadlineToken)
{
    private const int ModeDon = 1;
    private const int ModeNode = 2;

    private readonly Dictionary<int, Task<CapabilityResponse>> _capabilityCalls = [];
    private readonly Dictionary<int, Task<IReadOnlyList<SecretResponse>>> _secretCalls = [];
    private readonly byte[][] _argv = [Encoding.UTF8.GetBytes("wasi"), argument];
    private int _mode = ModeDon;

    public CancellationToken DeadlineToken { get; } = deadlineToken;

    public ExecutionResult? Response { get; private set; }

    /// <summary>The first reason this execution failed; host imports set it before trapping.</summary>
    public string? Failure { get; private set; }

    public int? ExitCode { get; private set; }

    public Exception Fault(string message)
    {
        Failure ??= message;
        return new HostFaultException(message);
    }

    // ---- env: CRE v2 module contract ------------------------------------------------------------------------------

    public int SendResponse(Caller caller, int ptr, int len)
    {
        if (Response is not null)
        {
            throw Fault("module called send_response more than once");
        }

        if (len < 0 || (ulong)len > maxResponseSize)
        {
            throw Fault($"response of {len} bytes exceeds max_response_size {maxResponseSize}");
        }

        var bytes = Read(caller, ptr, len, "send_response");
        try
        {
            Response = ExecutionResult.Parser.ParseFrom(bytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw Fault($"module sent a malformed ExecutionResult ({len} bytes): {e.Message}");
        }

        return 0;
    }

    public long CallCapability(Caller caller, int reqPtr, int reqLen, int errPtr, int errMax)
    {
        CapabilityRequest request;
        try
        {
            request = CapabilityRequest.Parser.ParseFrom(Read(caller, reqPtr, reqLen, "call_capability"));
        }
        catch (InvalidProtocolBufferException e)
        {
            return WriteError(caller, errPtr, errMax, $"malformed CapabilityRequest: {e.Message}");
        }

        if (string.IsNullOrEmpty(request.Id))
        {
            return WriteError(caller, errPtr, errMax, "CapabilityRequest has no capability id");
        }

        if (_capabilityCalls.ContainsKey(request.CallbackId))
        {
            return WriteError(caller, errPtr, errMax, $"callback id {request.CallbackId} is already in use");
        }

        if (PendingCount >= options.MaxPendingCalls)
        {
            return WriteError(caller, errPtr, errMax, $"too many pending calls: the limit is {options.MaxPendingCalls}; await some before calling more");
        }

        var metadata = context.Metadata with
        {
            WorkflowExecutionId = context.ExecutionId,
            ReferenceId = request.CallbackId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        _capabilityCalls[request.CallbackId] = Start(() => context.Capabilities.CallAsync(request, metadata, DeadlineToken));
        return request.CallbackId;
    }

    /// <summary>The 2-parameter (V1) arity: no error buffer, so errors are logged and -1 is returned.</summary>
    public long CallCapabilityV1(Caller caller, int reqPtr, int reqLen)
    {
        var result = CallCapability(caller, reqPtr, reqLen, 0, 0);
        return result >= 0 ? result : -1;
    }

    public long AwaitCapabilities(Caller caller, int reqPtr, int reqLen, int respPtr, int respMax)
    {
        AwaitCapabilitiesRequest request;
        try
        {
            request = AwaitCapabilitiesRequest.Parser.ParseFrom(Read(caller, reqPtr, reqLen, "await_capabilities"));
        }
        catch (InvalidProtocolBufferException e)
        {
            return WriteError(caller, respPtr, respMax, $"malformed AwaitCapabilitiesRequest: {e.Message}");
        }

        var unknown = request.Ids.Where(id => !_capabilityCalls.ContainsKey(id)).ToArray();
        if (unknown.Length > 0)
        {
            return WriteError(caller, respPtr, respMax, $"await_capabilities: no pending call with callback id {string.Join(", ", unknown)}");
        }

        var calls = request.Ids.Distinct().ToDictionary(id => id, id => _capabilityCalls[id]);
        WaitAll(calls.Values, "capability calls");
        var response = new AwaitCapabilitiesResponse();
        foreach (var (id, task) in calls)
        {
            _capabilityCalls.Remove(id);
            response.Responses[id] = task.IsCompletedSuccessfully
                ? task.Result
                : new CapabilityResponse { Error = ErrorText(task.Exception) };
        }

        return WriteResponse(caller, respPtr, respMax, response, "await_capabilities");
    }

    public long GetSecrets(Caller caller, int reqPtr, int reqLen, int errPtr, int errMax)
    {
        GetSecretsRequest request;
        try
        {
            request = GetSecretsRequest.Parser.ParseFrom(Read(caller, reqPtr, reqLen, "get_secrets"));
        }
        catch (InvalidProtocolBufferException e)
        {
            return WriteError(caller, errPtr, errMax, $"malformed GetSecretsRequest: {e.Message}");
        }

        if (_secretCalls.ContainsKey(request.CallbackId))
        {
            return WriteError(caller, errPtr, errMax, $"secrets callback id {request.CallbackId} is already in use");
        }

        if (PendingCount >= options.MaxPendingCalls)
        {
            return WriteError(caller, errPtr, errMax, $"too many pending calls: the limit is {options.MaxPendingCalls}; await some before calling more");
        }

        var requests = request.Requests
            .Select(r => string.IsNullOrEmpty(r.Namespace) ? new SecretRequest { Id = r.Id, Namespace = CapabilityIds.DefaultSecretNamespace } : r)
            .ToArray();
        var metadata = context.Metadata with
        {
            WorkflowExecutionId = context.ExecutionId,
            ReferenceId = request.CallbackId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        _secretCalls[request.CallbackId] = Start(() => context.Secrets.GetSecretsAsync(requests, metadata, DeadlineToken));
        return request.CallbackId;
    }

    public long AwaitSecrets(Caller caller, int reqPtr, int reqLen, int respPtr, int respMax)
    {
        AwaitSecretsRequest request;
        try
        {
            request = AwaitSecretsRequest.Parser.ParseFrom(Read(caller, reqPtr, reqLen, "await_secrets"));
        }
        catch (InvalidProtocolBufferException e)
        {
            return WriteError(caller, respPtr, respMax, $"malformed AwaitSecretsRequest: {e.Message}");
        }

        var unknown = request.Ids.Where(id => !_secretCalls.ContainsKey(id)).ToArray();
        if (unknown.Length > 0)
        {
            return WriteError(caller, respPtr, respMax, $"await_secrets: no pending secrets request with callback id {string.Join(", ", unknown)}");
        }

        var calls = request.Ids.Distinct().ToDictionary(id => id, id => _secretCalls[id]);
        WaitAll(calls.Values, "secrets requests");
        var response = new AwaitSecretsResponse();
        foreach (var (id, task) in calls)
        {
            _secretCalls.Remove(id);
            if (!task.IsCompletedSuccessfully)
            {
                return WriteError(caller, respPtr, respMax, $"secrets request {id} failed: {ErrorText(task.Exception)}");
            }

            var responses = new SecretResponses();
            responses.Responses.AddRange(task.Result);
            response.Responses[id] = responses;
        }

        return WriteResponse(caller, respPtr, respMax, response, "await_secrets");
    }

    public void Log(Caller caller, int ptr, int len)
    {
        var bytes = Read(caller, ptr, Math.Min(len, options.MaxLogLineBytes), "log");
        context.Logger.LogInformation("workflow {WorkflowId} execution {ExecutionId}: {Message}",
            context.Metadata.WorkflowId, context.ExecutionId, Encoding.UTF8.GetString(bytes));
    }

    public int EmitMetric(Caller caller, int ptr, int len)
    {
        Read(caller, ptr, len, "emit_metric");
        return 0;
    }

    public void SwitchModes(int mode)
    {
        if (mode is not ModeDon and not ModeNode)
        {
            throw Fault($"switch_modes: unknown mode {mode} (expected 1 = DON or 2 = node)");
        }

        _mode = mode;
    }

    /// <summary>DON mode: fnv64a(executionId), identical on every node; node mode: random.</summary>
    public long RandomSeed(int mode) =>
        mode == ModeNode || (mode == 0 && _mode == ModeNode)
            ? BinaryPrimitives.ReadInt64LittleEndian(RandomNumberGenerator.GetBytes(8))
            : unchecked((long)Fnv64a(Encoding.UTF8.GetBytes(context.ExecutionId)));

    public int Now(Caller caller, int resultPtr)
    {
        BinaryPrimitives.WriteInt64LittleEndian(Span(caller, resultPtr, 8, "now"), UnixNanos(timeProvider.GetUtcNow()));
        return 0;
    }

    public void Abort(Caller caller, int messagePtr, int filePtr, int line, int column)
    {
        var message = ReadAssemblyScriptString(caller, messagePtr);
        var file = ReadAssemblyScriptString(caller, filePtr);
        throw Fault($"module aborted: {message} (at {file}:{line}:{column})");
    }

    // ---- helpers --------------------------------------------------------------------------------------------------

    private int PendingCount => _capabilityCalls.Count + _secretCalls.Count;

    private static Task<T> Start<T>(Func<Task<T>> call)
    {
        try
        {
            return call();
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
    }

    private void WaitAll(IEnumerable<Task> tasks, string what)
    {
        try
        {
            Task.WhenAll(tasks).Wait(DeadlineToken);
        }
        catch (OperationCanceledException)
        {
            throw Fault($"execution deadline exceeded while awaiting {what}");
        }
        catch (AggregateException)
        {
            // Individual failures become per-call errors below.
        }
    }

    private static string ErrorText(AggregateException? e)
    {
        var inner = e?.InnerExceptions.Count == 1 ? e.InnerException : e;
        return inner?.Message ?? "call failed";
    }

    private long WriteResponse(Caller caller, int ptr, int max, IMessage message, string what)
    {
        var size = message.CalculateSize();
        if (size > max)
        {
            return WriteError(caller, ptr, max, $"{what}: response of {size} bytes does not fit the module's {max}-byte buffer");
        }

        message.WriteTo(Span(caller, ptr, size, what));
        return size;
    }

    private long WriteError(Caller caller, int ptr, int max, string error)
    {
        context.Logger.LogWarning("workflow {WorkflowId} execution {ExecutionId}: host call refused: {Error}",
            context.Metadata.WorkflowId, context.ExecutionId, error);
        var bytes = Encoding.UTF8.GetBytes(error);
        var len = Math.Min(bytes.Length, Math.Max(max, 0));
        if (len == 0)
        {
            return -1;
        }

        bytes.AsSpan(0, len).CopyTo(Span(caller, ptr, len, "error buffer"));
        return -len;
    }

    private byte[] Read(Caller caller, int ptr, int len, string what) => Span(caller, ptr, len, what).ToArray();

    private Span<byte> Span(Caller caller, int ptr, int len, string what)
    {
        var memory = caller.GetMemory("memory") ?? throw Fault("module has no exported memory");
        if (ptr < 0 || len < 0 || (long)(uint)ptr + len > memory.GetLength())
        {
            throw Fault($"{what}: range [{(uint)ptr}, +{len}) is outside the module's {memory.GetLength()}-byte memory");
        }

        return memory.GetSpan(ptr, len);
    }

    // AssemblyScript strings: UTF-16LE, byte length stored 4 bytes before the pointer.
    private string ReadAssemblyScriptString(Caller caller, int ptr)
    {
        if (ptr < 4)
        {
            return "";
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(Span(caller, ptr - 4, 4, "abort"));
        return Encoding.Unicode.GetString(Span(caller, ptr, Math.Clamp(length, 0, options.MaxLogLineBytes), "abort"));
    }

    private static long UnixNanos(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) * 100;

    internal static ulong Fnv64a(ReadOnlySpan<byte> data)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in data)
        {
            hash ^= b;
            hash *= 1099511628211UL;
        }

        return hash;
    }
}

/// <summary>Thrown by host imports to stop the guest; the reason is in <see cref="WasmExecution.Failure"/>.</summary>
internal sealed class HostFaultException(string message) : Exception(message);
