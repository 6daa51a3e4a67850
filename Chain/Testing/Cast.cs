using System.Diagnostics;
using System.Text.Json;
using CreAspire.Chain.Contracts;
using CreAspire.NativeTools;

namespace CreAspire.Chain.Testing;

/// <summary>
/// Foundry's <c>cast</c> for tests that drive the registries the way any tool can: function signatures read from the ABI
/// JSON that <see cref="RegistryContracts.PackageName"/> publishes (<c>abi/v0.8/workflow/dev/v2/*.abi.json</c>), never from
/// CreAspire's bindings.
/// </summary>
public static class Cast
{
    /// <summary>The published ABI JSON of <paramref name="contract"/> ("WorkflowRegistry" or "CapabilitiesRegistry").</summary>
    public static string PublishedAbiPath(string contract) =>
        Path.Combine(NativeToolPaths.NodeModules, "@chainlink", "contracts", "abi", "v0.8", "workflow", "dev", "v2", contract + ".abi.json");

    /// <summary>"name(type,...)" of <paramref name="function"/> as the package's published ABI declares it (tuples expanded).</summary>
    public static string Signature(string contract, string function)
    {
        var path = PublishedAbiPath(contract);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{RegistryContracts.PackageName} publishes no ABI at {path}; is node_modules installed ('npm ci')?", path);
        }

        using var abi = JsonDocument.Parse(File.ReadAllText(path));
        var entries = abi.RootElement.EnumerateArray()
            .Where(e => e.GetProperty("type").GetString() == "function" && e.GetProperty("name").GetString() == function)
            .ToList();
        return entries.Count == 1
            ? $"{function}({string.Join(",", entries[0].GetProperty("inputs").EnumerateArray().Select(TypeOf))})"
            : throw new InvalidOperationException($"{path} declares {entries.Count} functions named '{function}'; expected exactly one.");
    }

    /// <summary>Runs cast with <paramref name="arguments"/>; returns its standard output, throws with its standard error when it fails.</summary>
    public static async Task<string> RunAsync(IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var info = new ProcessStartInfo(NativeToolPaths.Cast) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["FOUNDRY_DISABLE_NIGHTLY_WARNING"] = "1";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {info.FileName}");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }

        return process.ExitCode == 0
            ? await stdout.ConfigureAwait(false)
            : throw new InvalidOperationException($"cast {info.ArgumentList.FirstOrDefault()} exited with {process.ExitCode}: {(await stderr.ConfigureAwait(false)).Trim()}");
    }

    private static string TypeOf(JsonElement parameter)
    {
        var type = parameter.GetProperty("type").GetString()!;
        return type.StartsWith("tuple", StringComparison.Ordinal)
            ? $"({string.Join(",", parameter.GetProperty("components").EnumerateArray().Select(TypeOf))}){type[5..]}"
            : type;
    }
}
