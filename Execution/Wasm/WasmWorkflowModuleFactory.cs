using System.Collections.Concurrent;
using System.Security.Cryptography;
using CreAspire.Execution.Contracts;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Wasmtime;

namespace CreAspire.Execution.Wasm;

/// <summary>
/// Compiles workflow binaries on one Wasmtime engine, once per binary hash, and hands out modules that instantiate a
/// fresh store per execution. An epoch ticker drives the execution deadlines. Thread-safe; dispose at shutdown.
/// </summary>
public sealed class WasmWorkflowModuleFactory : IWorkflowModuleFactory, IDisposable
{
    private readonly Wasmtime.Engine _engine;
    private readonly Timer _epochTicker;
    private readonly ConcurrentDictionary<string, Lazy<WasmWorkflowModule>> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<WasmWorkflowModule> _textModules = [];
    private readonly ILogger _logger;

    public WasmWorkflowModuleFactory(WasmHostOptions? options = null, TimeProvider? timeProvider = null, ILoggerFactory? loggerFactory = null)
    {
        Options = options ?? new WasmHostOptions();
        Options.Validate();
        TimeProvider = timeProvider ?? TimeProvider.System;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<WasmWorkflowModuleFactory>();
        using var config = new Config().WithEpochInterruption(true);
        _engine = new Wasmtime.Engine(config);
        // Deadlines are wall-clock based (the real clock, never the injected one: a fake clock must not stop a runaway loop).
        _epochTicker = new Timer(static e => ((Wasmtime.Engine)e!).IncrementEpoch(), _engine, Options.EpochTick, Options.EpochTick);
    }

    public WasmHostOptions Options { get; }

    /// <summary>Supplies now() to modules; tests inject a fake clock.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Number of distinct binaries compiled so far.</summary>
    public int CompiledCount => _cache.Count;

    public IWorkflowModule Create(byte[] wasm) => CreateWasm(wasm);

    /// <summary>As <see cref="Create"/>, typed. Throws <see cref="InvalidOperationException"/> when the binary is not a valid v2 module.</summary>
    public WasmWorkflowModule CreateWasm(byte[] wasm)
    {
        ArgumentNullException.ThrowIfNull(wasm);
        var hash = Convert.ToHexStringLower(SHA256.HashData(wasm));
        var lazy = _cache.GetOrAdd(hash, h => new Lazy<WasmWorkflowModule>(() => Compile(h, wasm)));
        try
        {
            return lazy.Value;
        }
        catch
        {
            _cache.TryRemove(new KeyValuePair<string, Lazy<WasmWorkflowModule>>(hash, lazy));
            throw;
        }
    }

    /// <summary>Compiles a module from WebAssembly text (tests).</summary>
    public WasmWorkflowModule CreateFromText(string wat)
    {
        Module module;
        try
        {
            module = Module.FromText(_engine, "workflow", wat);
        }
        catch (WasmtimeException e)
        {
            throw new InvalidOperationException($"workflow text is not a valid WebAssembly module: {e.Message}", e);
        }

        var loaded = Load("wat", module);
        _textModules.Add(loaded);
        return loaded;
    }

    private WasmWorkflowModule Compile(string hash, byte[] wasm)
    {
        Module module;
        try
        {
            module = Module.FromBytes(_engine, hash, wasm);
        }
        catch (WasmtimeException e)
        {
            throw new InvalidOperationException($"workflow binary {hash} ({wasm.Length} bytes) is not a valid WebAssembly module: {e.Message}", e);
        }

        _logger.LogInformation("Compiled workflow binary {BinaryHash} ({Size} bytes)", hash, wasm.Length);
        return Load(hash, module);
    }

    private WasmWorkflowModule Load(string hash, Module module)
    {
        try
        {
            WasmModuleValidator.Validate(module);
            var linker = HostImports.CreateLinker(_engine, module);
            return new WasmWorkflowModule(hash, module, linker, this);
        }
        catch
        {
            module.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _epochTicker.Dispose();
        foreach (var entry in _cache.Values.Where(l => l.IsValueCreated))
        {
            entry.Value.Release();
        }

        foreach (var module in _textModules)
        {
            module.Release();
        }

        _engine.Dispose();
    }

    internal Wasmtime.Engine Engine => _engine;
}
