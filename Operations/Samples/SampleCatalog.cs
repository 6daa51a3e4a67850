using System.Text;

namespace CreAspire.Operations.Samples;

/// <summary>A sample workflow the build compiles (workflows/&lt;name&gt;) and what it does.</summary>
public sealed record SampleWorkflow(string Name, string Description, bool ReadsSecrets);

/// <summary>The sample workflows and where their compiled WASM lies (the build copies workflows/&lt;name&gt;.wasm next to this assembly).</summary>
public sealed class SampleCatalog(string? wasmFolder = null)
{
    /// <summary>The attributes of a confidential workflow that reads MOCK_SECRET (reference §2.1).</summary>
    public static byte[] ConfidentialAttributes { get; } = Encoding.UTF8.GetBytes("{\"confidential\":true,\"vault_don_secrets\":[{\"key\":\"MOCK_SECRET\"}]}");

    public static IReadOnlyList<SampleWorkflow> All { get; } =
    [
        new("confidential-mock", "reads secret MOCK_SECRET, calls mock@1.0.0 with its SHA-256 and returns the answer", ReadsSecrets: true),
        new("hello-cron", "calls mock@1.0.0 with the cron tick and returns the answer", ReadsSecrets: false),
    ];

    public string WasmFolder { get; } = wasmFolder ?? Path.Combine(AppContext.BaseDirectory, "workflows");

    public static SampleWorkflow? Find(string name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.Ordinal));

    public string WasmPath(string sample) => Path.Combine(WasmFolder, sample + ".wasm");
}
