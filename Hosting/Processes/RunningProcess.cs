using System.Diagnostics;

namespace CreAspire.Hosting.Processes;

/// <summary>A launched child: its output goes to the resource log; <see cref="Exited"/> completes with the exit code.</summary>
internal sealed class RunningProcess
{
    private readonly Process _process;
    private readonly TaskCompletionSource<int> _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _stopSignal;

    private RunningProcess(Process process, int stopSignal)
    {
        _process = process;
        _stopSignal = stopSignal;
        Pid = process.Id;
    }

    public int Pid { get; }

    public Task<int> Exited => _exited.Task;

    public static async Task<RunningProcess> StartAsync(
        ProcessSpec spec, Action<string, bool> onLine, CancellationToken cancellationToken)
    {
        var process = await ChildProcessLauncher.StartAsync(spec, cancellationToken).ConfigureAwait(false);
        var running = new RunningProcess(process, spec.StopSignal);
        var streamsClosed = new CountdownEvent(2);
        process.OutputDataReceived += (_, e) => OnData(e.Data, false);
        process.ErrorDataReceived += (_, e) => OnData(e.Data, true);
        process.Exited += (_, _) => _ = running.CompleteAsync(streamsClosed);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.StandardInput.Close();
        if (process.HasExited)
        {
            _ = running.CompleteAsync(streamsClosed);
        }

        return running;

        void OnData(string? line, bool isError)
        {
            if (line is null)
            {
                streamsClosed.Signal();
                return;
            }

            onLine(line, isError);
        }
    }

    /// <summary>Asks the process to stop (its stop signal), then kills it after <paramref name="timeout"/>.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_exited.Task.IsCompleted)
        {
            return;
        }

        PosixSignals.Send(Pid, _stopSignal);
        if (await Task.WhenAny(_exited.Task, Task.Delay(timeout)).ConfigureAwait(false) == _exited.Task)
        {
            return;
        }

        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        await Task.WhenAny(_exited.Task, Task.Delay(TimeSpan.FromSeconds(5))).ConfigureAwait(false);
    }

    private async Task CompleteAsync(CountdownEvent streamsClosed)
    {
        // Let the last output lines arrive so failure reports include them (bounded: a grandchild may hold the pipe open).
        await Task.Run(() => streamsClosed.Wait(TimeSpan.FromSeconds(2))).ConfigureAwait(false);
        int code;
        try
        {
            code = _process.ExitCode;
        }
        catch (InvalidOperationException)
        {
            code = -1;
        }

        _exited.TrySetResult(code);
    }
}
