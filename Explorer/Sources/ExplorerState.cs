namespace CreAspire.Explorer.Sources;

/// <summary>
/// The latest <see cref="ExplorerSnapshot"/> and who is looking at it. Pages subscribe while open (that is what keeps the
/// collector reading; with nobody looking it idles) and are told of every new snapshot; actions ask for a refresh at once.
/// </summary>
public sealed class ExplorerState
{
    private readonly Lock _gate = new();
    private ExplorerSnapshot _current = ExplorerSnapshot.Empty;
    private int _viewers;
    private TaskCompletionSource _wanted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public event Action<ExplorerSnapshot>? Changed;

    public ExplorerSnapshot Current => Volatile.Read(ref _current);

    public int Viewers => Volatile.Read(ref _viewers);

    /// <summary>Counts a viewer until the returned handle is disposed and asks for a refresh.</summary>
    public IDisposable Watch()
    {
        Interlocked.Increment(ref _viewers);
        RequestRefresh();
        return new Viewer(this);
    }

    public void RequestRefresh()
    {
        lock (_gate)
        {
            _wanted.TrySetResult();
        }
    }

    /// <summary>Completes when a refresh is asked for; stays completed until <see cref="TakeRefreshRequest"/> (the collector waits on it between reads).</summary>
    internal Task RefreshRequested
    {
        get
        {
            lock (_gate)
            {
                return _wanted.Task;
            }
        }
    }

    /// <summary>True when a refresh was asked for since the last call; a request made after this call completes <see cref="RefreshRequested"/> anew.</summary>
    internal bool TakeRefreshRequest()
    {
        lock (_gate)
        {
            if (!_wanted.Task.IsCompleted)
            {
                return false;
            }

            _wanted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return true;
        }
    }

    internal void Publish(ExplorerSnapshot snapshot)
    {
        Volatile.Write(ref _current, snapshot);
        Changed?.Invoke(snapshot);
    }

    private sealed class Viewer(ExplorerState state) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                Interlocked.Decrement(ref state._viewers);
            }
        }
    }
}
