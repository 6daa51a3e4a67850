using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A diagnostic for cold paths: with CREASPIRE_JIT_LOG set to a directory, every method the JIT compiles in this process is
/// appended to &lt;directory&gt;/&lt;service&gt;-&lt;pid&gt;.txt as "milliseconds-since-start IL-bytes namespace::name" (the
/// runtime's MethodJittingStarted event, read in process). ReadyToRun code is not listed: what appears is what the process
/// compiles itself (generic instantiations over other assemblies' value types, IL stubs, emitted serializers, ...).
/// Off unless the variable is set; bench/E2E --jit-log DIR sets it for every service.
/// </summary>
public sealed class JitLog : EventListener
{
    public const string Variable = "CREASPIRE_JIT_LOG";
    private const EventKeywords JitKeyword = (EventKeywords)0x10;
    private const int MethodJittingStartedId = 145;
    private static JitLog? _instance;
    private readonly BlockingCollection<string> _lines = new();
    private readonly long _start = Environment.TickCount64;

    private JitLog(string path)
    {
        var writer = new Thread(() =>
        {
            using var file = new StreamWriter(path, append: true) { AutoFlush = true };
            foreach (var line in _lines.GetConsumingEnumerable())
            {
                file.WriteLine(line);
            }
        }) { IsBackground = true, Name = "jit-log" };
        writer.Start();
    }

    /// <summary>Starts the log when <see cref="Variable"/> names a directory (created if missing); otherwise does nothing.</summary>
    public static void StartIfRequested(string serviceName)
    {
        var directory = Environment.GetEnvironmentVariable(Variable);
        if (string.IsNullOrWhiteSpace(directory) || _instance is not null)
        {
            return;
        }

        Directory.CreateDirectory(directory);
        _instance = new JitLog(Path.Combine(directory, $"{serviceName}-{Environment.ProcessId}.txt"));
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, JitKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventId != MethodJittingStartedId || eventData.Payload is not { Count: >= 7 } payload)
        {
            return;
        }

        _lines.Add($"{Environment.TickCount64 - _start} {payload[3]} {payload[4]}::{payload[5]} {payload[6]}");
    }
}
