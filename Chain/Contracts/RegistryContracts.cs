using System.Text.Json;

namespace CreAspire.Chain.Contracts;

/// <summary>
/// The one place that says which Chainlink contracts this project targets: the npm package and version pinned in
/// package.json, the contracts compiled from it, and the <c>typeAndVersion()</c> strings those contracts answer. The
/// registry readers refuse a contract whose typeAndVersion is not listed here. A version bump changes the pin, these
/// constants and the generated services (Chain/contracts/generate-services.js).
/// </summary>
public static class RegistryContracts
{
    /// <summary>The npm package the registries are compiled from (BUSL-1.1: a dependency, never copied into the repository).</summary>
    public const string PackageName = "@chainlink/contracts";

    /// <summary>Its pinned version (package.json).</summary>
    public const string PackageVersion = "1.5.0";

    /// <summary>What WorkflowRegistry.typeAndVersion() answers for <see cref="PackageVersion"/>.</summary>
    public const string WorkflowRegistryTypeAndVersion = "WorkflowRegistry 2.0.0-dev";

    /// <summary>What CapabilitiesRegistry.typeAndVersion() answers for <see cref="PackageVersion"/>.</summary>
    public const string CapabilitiesRegistryTypeAndVersion = "CapabilitiesRegistry 2.0.0-dev";

    private static readonly Lazy<ContractArtifact> LazyWorkflowRegistry = new(() => ContractArtifact.Load("WorkflowRegistry"));
    private static readonly Lazy<ContractArtifact> LazyCapabilitiesRegistry = new(() => ContractArtifact.Load("CapabilitiesRegistry"));

    /// <summary>WorkflowRegistry as the build compiled it.</summary>
    public static ContractArtifact WorkflowRegistry => LazyWorkflowRegistry.Value;

    /// <summary>CapabilitiesRegistry as the build compiled it.</summary>
    public static ContractArtifact CapabilitiesRegistry => LazyCapabilitiesRegistry.Value;

    /// <summary>Throws unless <paramref name="found"/> is the typeAndVersion this project targets for that contract.</summary>
    public static void RequireTypeAndVersion(string expected, string found, string address)
    {
        if (!string.Equals(expected, found, StringComparison.Ordinal))
        {
            var contract = expected.Split(' ')[0];
            throw new UnsupportedRegistryException(
                $"The contract at {address} answers typeAndVersion() = '{found}', but CreAspire targets '{expected}' ({PackageName} {PackageVersion}); " +
                $"point Chain:{contract} at a {expected} (the one the 'contracts' setup deploys), or move the pin in package.json and RegistryContracts together.",
                expected, found);
        }
    }
}

/// <summary>A compiled registry: creation bytecode and ABI JSON, plus where they came from.</summary>
public sealed class ContractArtifact
{
    private ContractArtifact(string name, string source, string packageVersion, string compilerVersion, string bytecode, string abiJson)
    {
        Name = name;
        Source = source;
        PackageVersion = packageVersion;
        CompilerVersion = compilerVersion;
        Bytecode = bytecode;
        AbiJson = abiJson;
    }

    public string Name { get; }

    /// <summary>The source unit, e.g. "@chainlink/contracts/src/v0.8/workflow/dev/v2/WorkflowRegistry.sol".</summary>
    public string Source { get; }

    /// <summary>The version of the npm package the source was compiled from.</summary>
    public string PackageVersion { get; }

    public string CompilerVersion { get; }

    /// <summary>0x creation bytecode (constructor arguments are appended ABI-encoded).</summary>
    public string Bytecode { get; }

    /// <summary>The ABI as solc produced it (identical to the package's published abi/*.abi.json).</summary>
    public string AbiJson { get; }

    internal static ContractArtifact Load(string contractName)
    {
        var resource = $"CreAspire.Chain.Contracts.{contractName}.json";
        using var stream = typeof(ContractArtifact).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException(
                $"The compiled contract '{contractName}' is not embedded ({resource}); rebuild CreAspire.Chain (its build compiles {RegistryContracts.PackageName}'s registries with solc-js).");
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        var artifact = new ContractArtifact(
            contractName,
            root.GetProperty("source").GetString() ?? "",
            root.GetProperty("packageVersion").GetString() ?? "",
            root.GetProperty("solcVersion").GetString() ?? "",
            root.GetProperty("bytecode").GetString() ?? "",
            root.GetProperty("abi").GetRawText());
        if (artifact.PackageVersion != RegistryContracts.PackageVersion)
        {
            throw new InvalidOperationException(
                $"The embedded {contractName} was compiled from {RegistryContracts.PackageName} {artifact.PackageVersion}, but RegistryContracts targets {RegistryContracts.PackageVersion}; " +
                "the pin in package.json and RegistryContracts.PackageVersion must move together (then rebuild).");
        }

        return artifact;
    }
}

/// <summary>A registry answered a typeAndVersion() this project does not target.</summary>
public sealed class UnsupportedRegistryException : Exception
{
    public UnsupportedRegistryException(string message, string expected, string found) : base(message)
    {
        Expected = expected;
        Found = found;
    }

    public UnsupportedRegistryException() { }

    public UnsupportedRegistryException(string message) : base(message) { }

    public UnsupportedRegistryException(string message, Exception innerException) : base(message, innerException) { }

    public string Expected { get; } = "";

    public string Found { get; } = "";
}
