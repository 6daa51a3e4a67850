using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Wasmtime;

namespace CreAspire.Execution.Wasm;

/// <summary>The WASI preview1 functions workflow modules use: argv carries the ExecuteRequest, stdout/stderr go to the log.</summary>
internal sealed partial class WasmExecution
{
    // ---- wasi_snapshot_preview1 -----------------------------------------------------------------------------------

    public int ArgsSizesGet(Caller caller, int argcPtr, int sizePtr)
    {
        BinaryPrimitives.WriteInt32LittleEndian(Span(caller, argcPtr, 4, "args_sizes_get"), _argv.Length);
        BinaryPrimitives.WriteInt32LittleEndian(Span(caller, sizePtr, 4, "args_sizes_get"), _argv.Sum(a => a.Length + 1));
        return 0;
    }

    public int ArgsGet(Caller caller, int argvPtr, int bufPtr)
    {
        var offset = bufPtr;
        for (var i = 0; i < _argv.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(Span(caller, argvPtr + (i * 4), 4, "args_get"), offset);
            var target = Span(caller, offset, _argv[i].Length + 1, "args_get");
            _argv[i].CopyTo(target);
            target[^1] = 0;
            offset += _argv[i].Length + 1;
        }

        return 0;
    }

    public int EnvironSizesGet(Caller caller, int countPtr, int sizePtr)
    {
        BinaryPrimitives.WriteInt32LittleEndian(Span(caller, countPtr, 4, "environ_sizes_get"), 0);
        BinaryPrimitives.WriteInt32LittleEndian(Span(caller, sizePtr, 4, "environ_sizes_get"), 0);
        return 0;
    }

    public int ClockTimeGet(Caller caller, int clockId, long precision, int resultPtr)
    {
        _ = precision;
        var nanos = clockId == 0
            ? UnixNanos(timeProvider.GetUtcNow())
            : (long)(timeProvider.GetTimestamp() * (1_000_000_000.0 / timeProvider.TimestampFrequency));
        BinaryPrimitives.WriteInt64LittleEndian(Span(caller, resultPtr, 8, "clock_time_get"), nanos);
        return 0;
    }

    public int ClockResGet(Caller caller, int clockId, int resultPtr)
    {
        _ = clockId;
        BinaryPrimitives.WriteInt64LittleEndian(Span(caller, resultPtr, 8, "clock_res_get"), 1000);
        return 0;
    }

    public int RandomGet(Caller caller, int ptr, int len)
    {
        RandomNumberGenerator.Fill(Span(caller, ptr, len, "random_get"));
        return 0;
    }

    /// <summary>stdout and stderr go to the execution's log.</summary>
    public int FdWrite(Caller caller, int fd, int iovsPtr, int iovsLen, int writtenPtr)
    {
        var text = new StringBuilder();
        var total = 0;
        for (var i = 0; i < iovsLen; i++)
        {
            var iov = Span(caller, iovsPtr + (i * 8), 8, "fd_write");
            var ptr = BinaryPrimitives.ReadInt32LittleEndian(iov);
            var len = BinaryPrimitives.ReadInt32LittleEndian(iov[4..]);
            if (total < options.MaxLogLineBytes)
            {
                text.Append(Encoding.UTF8.GetString(Read(caller, ptr, Math.Min(len, options.MaxLogLineBytes - total), "fd_write")));
            }

            total += len;
        }

        if (fd is 1 or 2)
        {
            context.Logger.LogInformation("workflow {WorkflowId} execution {ExecutionId} {Stream}: {Message}",
                context.Metadata.WorkflowId, context.ExecutionId, fd == 1 ? "stdout" : "stderr", text.ToString().TrimEnd('\n'));
        }

        BinaryPrimitives.WriteInt32LittleEndian(Span(caller, writtenPtr, 4, "fd_write"), total);
        return fd is 1 or 2 ? 0 : 8; // EBADF for anything but stdout/stderr
    }

    public void ProcExit(int code)
    {
        ExitCode = code;
        if (code != 0)
        {
            throw Fault($"module exited with code {code}");
        }

        throw new HostFaultException("proc_exit(0)");
    }
}
