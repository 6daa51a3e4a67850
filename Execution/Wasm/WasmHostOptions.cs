namespace CreAspire.Execution.Wasm;

/// <summary>Limits the WASM host applies to every execution.</summary>
public sealed record WasmHostOptions
{
    /// <summary>Largest linear memory a module may grow to.</summary>
    public long MaxMemoryBytes { get; init; } = 64 * 1024 * 1024;

    /// <summary>Deadline of one execution when the caller does not set <c>ModuleExecutionContext.Timeout</c>.</summary>
    public TimeSpan DefaultTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Used when the ExecuteRequest carries no max_response_size.</summary>
    public ulong DefaultMaxResponseSize { get; init; } = 5 * 1024 * 1024;

    /// <summary>Capability and secret calls a module may have outstanding at once.</summary>
    public int MaxPendingCalls { get; init; } = 64;

    /// <summary>How often the engine epoch advances; the deadline is checked on every tick.</summary>
    public TimeSpan EpochTick { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Longest guest log line kept (longer ones are truncated).</summary>
    public int MaxLogLineBytes { get; init; } = 4096;

    public void Validate()
    {
        if (MaxMemoryBytes < 64 * 1024) throw new ArgumentOutOfRangeException(nameof(MaxMemoryBytes), MaxMemoryBytes, "must allow at least one 64 KiB WASM page");
        if (DefaultTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(DefaultTimeout), DefaultTimeout, "must be positive");
        if (MaxPendingCalls < 1) throw new ArgumentOutOfRangeException(nameof(MaxPendingCalls), MaxPendingCalls, "must be at least 1");
        if (EpochTick <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(EpochTick), EpochTick, "must be positive");
    }
}
