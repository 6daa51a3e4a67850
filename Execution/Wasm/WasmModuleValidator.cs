using Wasmtime;

namespace CreAspire.Execution.Wasm;

/// <summary>The checks a binary must pass to run as a CRE v2 (NoDAG) workflow, one error per rule.</summary>
internal static class WasmModuleValidator
{
    public const string VersionMarkerPrefix = "version_v2";

    public static void Validate(Module module)
    {
        if (!module.Exports.OfType<MemoryExport>().Any(e => e.Name == "memory"))
        {
            throw new InvalidOperationException(
                "workflow module does not export its linear memory as \"memory\"; compile it as a WASI command that exports memory");
        }

        if (!module.Exports.OfType<FunctionExport>().Any(e => e.Name == "_start"))
        {
            throw new InvalidOperationException(
                "workflow module does not export \"_start\"; compile it as a WASI command (AssemblyScript: --exportStart _start)");
        }

        if (!module.Imports.OfType<FunctionImport>().Any(IsVersionMarker))
        {
            throw new InvalidOperationException(
                $"workflow module does not import an \"env\" function named \"{VersionMarkerPrefix}*\", so it is not a CRE v2 (NoDAG) module; " +
                "legacy DAG workflows are not supported, rebuild it with a v2 SDK");
        }

        var unknown = module.Imports
            .Where(i => !(i is FunctionImport f && (IsVersionMarker(f) || HostImports.Provides(f))))
            .Select(i => $"{i.ModuleName}.{i.Name}")
            .ToArray();
        if (unknown.Length > 0)
        {
            throw new InvalidOperationException(
                $"workflow module imports {string.Join(", ", unknown)} which the host does not provide (or with a different signature); " +
                "host imports are the CRE v2 env functions and WASI preview1 args/environ/clock/random/fd_write/proc_exit");
        }
    }

    public static bool IsVersionMarker(FunctionImport import) =>
        import.ModuleName == "env" && import.Name.StartsWith(VersionMarkerPrefix, StringComparison.Ordinal)
        && import.Parameters.Count == 0 && import.Results.Count == 0;
}
