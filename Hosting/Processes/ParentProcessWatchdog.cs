namespace CreAspire.Hosting.Processes;

/// <summary>
/// Cancels when the host's own parent goes away (the host is re-parented). `dotnet run` starts the AppHost as its child and does
/// not take it down when it is SIGKILLed; without this the AppHost and its children would live on.
/// </summary>
internal sealed class ParentProcessWatchdog : IDisposable
{
    private readonly CancellationTokenSource _parentGone = new();
    private readonly Timer? _timer;
    private readonly int _parent;

    /// <param name="parent">The parent process id to watch, taken early (when the app was built), so a parent that died
    /// before the watchdog was created is noticed at the first check.</param>
    public ParentProcessWatchdog(int parent)
    {
        _parent = parent;
        if (OperatingSystem.IsWindows() || _parent <= 1)
        {
            return;
        }

        _timer = new Timer(_ => Check(), null, TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(250));
    }

    public CancellationToken ParentGone => _parentGone.Token;

    public void Dispose()
    {
        _timer?.Dispose();
        _parentGone.Dispose();
    }

    private void Check()
    {
        if (PosixSignals.ParentProcessId != _parent && !_parentGone.IsCancellationRequested)
        {
            Console.Error.WriteLine($"The parent process ({_parent}) exited; stopping.");
            _parentGone.Cancel();
        }
    }
}
