namespace CreAspire.Hosting.ApplicationModel;

/// <summary>One captured console line; <see cref="Sequence"/> increases per resource so viewers can ask for what is new.</summary>
public sealed record LogLine(long Sequence, DateTimeOffset Timestamp, bool IsError, string Text);

/// <summary>
/// Captured stdout/stderr per resource: the last <see cref="Capacity"/> lines in memory (for the dashboard and error reports)
/// and every line in <c>&lt;run dir&gt;/logs/&lt;resource&gt;.log</c>.
/// </summary>
public sealed class ResourceLoggerService : IAsyncDisposable
{
    public const int Capacity = 2000;

    private readonly string _logDirectory;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ResourceLog> _logs = new(StringComparer.Ordinal);

    public ResourceLoggerService(string logDirectory)
    {
        _logDirectory = logDirectory;
        Directory.CreateDirectory(logDirectory);
    }

    public string LogDirectory => _logDirectory;

    public string GetLogFilePath(string resourceName) => Path.Combine(_logDirectory, resourceName + ".log");

    public void Append(string resourceName, string text, bool isError)
    {
        GetLog(resourceName).Append(text, isError);
    }

    /// <summary>Lines with a sequence above <paramref name="afterSequence"/> still in the buffer.</summary>
    public IReadOnlyList<LogLine> GetLines(string resourceName, long afterSequence = 0) => GetLog(resourceName).Since(afterSequence);

    public IReadOnlyList<string> GetLastLines(string resourceName, int count) =>
        GetLog(resourceName).Since(0).TakeLast(count).Select(l => l.Text).ToList();

    public async ValueTask DisposeAsync()
    {
        ResourceLog[] logs;
        lock (_gate)
        {
            logs = [.. _logs.Values];
        }

        foreach (var log in logs)
        {
            await log.DisposeAsync().ConfigureAwait(false);
        }
    }

    private ResourceLog GetLog(string resourceName)
    {
        lock (_gate)
        {
            if (!_logs.TryGetValue(resourceName, out var log))
            {
                log = new ResourceLog(GetLogFilePath(resourceName));
                _logs[resourceName] = log;
            }

            return log;
        }
    }

    private sealed class ResourceLog(string path) : IAsyncDisposable
    {
        private readonly Lock _gate = new();
        private readonly Queue<LogLine> _lines = new();
        private readonly StreamWriter _file = new(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        private long _sequence;

        public void Append(string text, bool isError)
        {
            lock (_gate)
            {
                var line = new LogLine(++_sequence, DateTimeOffset.UtcNow, isError, text);
                _lines.Enqueue(line);
                if (_lines.Count > Capacity)
                {
                    _lines.Dequeue();
                }

                try
                {
                    _file.WriteLine($"{line.Timestamp:HH:mm:ss.fff} {(isError ? "ERR" : "OUT")} {text}");
                }
                catch (ObjectDisposedException)
                {
                    // Lines that arrive after shutdown stay in memory only.
                }
            }
        }

        public IReadOnlyList<LogLine> Since(long afterSequence)
        {
            lock (_gate)
            {
                return _lines.Where(l => l.Sequence > afterSequence).ToList();
            }
        }

        public async ValueTask DisposeAsync()
        {
            Task flush;
            lock (_gate)
            {
                flush = _file.DisposeAsync().AsTask();
            }

            await flush.ConfigureAwait(false);
        }
    }
}
