using Wasmtime;

namespace CreAspire.Execution.Wasm;

/// <summary>The functions the host provides to workflow modules (module "env" and "wasi_snapshot_preview1").</summary>
internal static class HostImports
{
    private const string Env = "env";
    private const string Wasi = "wasi_snapshot_preview1";
    private const int Enosys = 52;

    private static readonly ValueKind I32 = ValueKind.Int32;
    private static readonly ValueKind I64 = ValueKind.Int64;

    /// <summary>(module, name) → accepted signatures (parameters, results).</summary>
    private static readonly Dictionary<(string Module, string Name), (ValueKind[] Params, ValueKind[] Results)[]> Signatures = new()
    {
        [(Env, "send_response")] = [([I32, I32], [I32])],
        [(Env, "call_capability")] = [([I32, I32], [I64]), ([I32, I32, I32, I32], [I64])],
        [(Env, "await_capabilities")] = [([I32, I32, I32, I32], [I64])],
        [(Env, "get_secrets")] = [([I32, I32, I32, I32], [I64])],
        [(Env, "await_secrets")] = [([I32, I32, I32, I32], [I64])],
        [(Env, "log")] = [([I32, I32], [])],
        [(Env, "emit_metric")] = [([I32, I32], [I32])],
        [(Env, "switch_modes")] = [([I32], [])],
        [(Env, "random_seed")] = [([I32], [I64])],
        [(Env, "now")] = [([I32], [I32])],
        [(Env, "abort")] = [([I32, I32, I32, I32], [])],
        [(Wasi, "args_sizes_get")] = [([I32, I32], [I32])],
        [(Wasi, "args_get")] = [([I32, I32], [I32])],
        [(Wasi, "environ_sizes_get")] = [([I32, I32], [I32])],
        [(Wasi, "environ_get")] = [([I32, I32], [I32])],
        [(Wasi, "clock_time_get")] = [([I32, I64, I32], [I32])],
        [(Wasi, "clock_res_get")] = [([I32, I32], [I32])],
        [(Wasi, "random_get")] = [([I32, I32], [I32])],
        [(Wasi, "fd_write")] = [([I32, I32, I32, I32], [I32])],
        [(Wasi, "fd_close")] = [([I32], [I32])],
        [(Wasi, "fd_seek")] = [([I32, I64, I32, I32], [I32])],
        [(Wasi, "fd_fdstat_get")] = [([I32, I32], [I32])],
        [(Wasi, "poll_oneoff")] = [([I32, I32, I32, I32], [I32])],
        [(Wasi, "sched_yield")] = [([], [I32])],
        [(Wasi, "proc_exit")] = [([I32], [])],
    };

    public static bool Provides(FunctionImport import) =>
        Signatures.TryGetValue((import.ModuleName, import.Name), out var accepted)
        && accepted.Any(s => s.Params.SequenceEqual(import.Parameters) && s.Results.SequenceEqual(import.Results));

    /// <summary>A linker for one module: the version marker(s) it imports and call_capability in the arity it imports.</summary>
    public static Linker CreateLinker(Wasmtime.Engine engine, Module module)
    {
        var linker = new Linker(engine);
        foreach (var marker in module.Imports.OfType<FunctionImport>().Where(WasmModuleValidator.IsVersionMarker))
        {
            linker.DefineFunction(Env, marker.Name, () => { });
        }

        var callCapability = module.Imports.OfType<FunctionImport>().FirstOrDefault(i => i.ModuleName == Env && i.Name == "call_capability");
        if (callCapability?.Parameters.Count == 2)
        {
            linker.DefineFunction(Env, "call_capability", (Caller c, int p, int l) => State(c).CallCapabilityV1(c, p, l));
        }
        else
        {
            linker.DefineFunction(Env, "call_capability", (Caller c, int p, int l, int e, int m) => State(c).CallCapability(c, p, l, e, m));
        }

        linker.DefineFunction(Env, "send_response", (Caller c, int p, int l) => State(c).SendResponse(c, p, l));
        linker.DefineFunction(Env, "await_capabilities", (Caller c, int p, int l, int r, int m) => State(c).AwaitCapabilities(c, p, l, r, m));
        linker.DefineFunction(Env, "get_secrets", (Caller c, int p, int l, int e, int m) => State(c).GetSecrets(c, p, l, e, m));
        linker.DefineFunction(Env, "await_secrets", (Caller c, int p, int l, int r, int m) => State(c).AwaitSecrets(c, p, l, r, m));
        linker.DefineFunction(Env, "log", (Caller c, int p, int l) => State(c).Log(c, p, l));
        linker.DefineFunction(Env, "emit_metric", (Caller c, int p, int l) => State(c).EmitMetric(c, p, l));
        linker.DefineFunction(Env, "switch_modes", (Caller c, int mode) => State(c).SwitchModes(mode));
        linker.DefineFunction(Env, "random_seed", (Caller c, int mode) => State(c).RandomSeed(mode));
        linker.DefineFunction(Env, "now", (Caller c, int p) => State(c).Now(c, p));
        linker.DefineFunction(Env, "abort", (Caller c, int m, int f, int line, int col) => State(c).Abort(c, m, f, line, col));

        linker.DefineFunction(Wasi, "args_sizes_get", (Caller c, int a, int b) => State(c).ArgsSizesGet(c, a, b));
        linker.DefineFunction(Wasi, "args_get", (Caller c, int a, int b) => State(c).ArgsGet(c, a, b));
        linker.DefineFunction(Wasi, "environ_sizes_get", (Caller c, int a, int b) => State(c).EnvironSizesGet(c, a, b));
        linker.DefineFunction(Wasi, "environ_get", (int a, int b) => 0);
        linker.DefineFunction(Wasi, "clock_time_get", (Caller c, int id, long precision, int p) => State(c).ClockTimeGet(c, id, precision, p));
        linker.DefineFunction(Wasi, "clock_res_get", (Caller c, int id, int p) => State(c).ClockResGet(c, id, p));
        linker.DefineFunction(Wasi, "random_get", (Caller c, int p, int l) => State(c).RandomGet(c, p, l));
        linker.DefineFunction(Wasi, "fd_write", (Caller c, int fd, int iovs, int n, int w) => State(c).FdWrite(c, fd, iovs, n, w));
        linker.DefineFunction(Wasi, "fd_close", (int fd) => 8);
        linker.DefineFunction(Wasi, "fd_seek", (int fd, long offset, int whence, int p) => 70); // ESPIPE
        linker.DefineFunction(Wasi, "fd_fdstat_get", (int fd, int p) => 8);
        linker.DefineFunction(Wasi, "poll_oneoff", (int a, int b, int c, int d) => Enosys);
        linker.DefineFunction(Wasi, "sched_yield", () => 0);
        linker.DefineFunction(Wasi, "proc_exit", (Caller c, int code) => State(c).ProcExit(code));
        return linker;
    }

    private static WasmExecution State(Caller caller) =>
        caller.GetData() as WasmExecution ?? throw new InvalidOperationException("store has no execution state");
}
