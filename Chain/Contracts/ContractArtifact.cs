using System.Text.Json;
using CreAspire.Chain.Abi;
using CreAspire.Chain.Crypto;

namespace CreAspire.Chain.Contracts;

/// <summary>A compiled contract (ABI + creation bytecode) embedded by the build from Chain/contracts/*.sol.</summary>
public sealed class ContractArtifact
{
    private static readonly Lazy<ContractArtifact> LazyWorkflowRegistry = new(() => Load("WorkflowRegistry"));
    private static readonly Lazy<ContractArtifact> LazyCapabilitiesRegistry = new(() => Load("CapabilitiesRegistry"));

    private ContractArtifact(string name, ContractAbi abi, byte[] bytecode, string compilerVersion)
    {
        Name = name;
        Abi = abi;
        Bytecode = bytecode;
        CompilerVersion = compilerVersion;
    }

    public static ContractArtifact WorkflowRegistry => LazyWorkflowRegistry.Value;

    public static ContractArtifact CapabilitiesRegistry => LazyCapabilitiesRegistry.Value;

    public string Name { get; }

    public ContractAbi Abi { get; }

    /// <summary>Creation bytecode (constructor arguments are appended ABI-encoded).</summary>
    public byte[] Bytecode { get; }

    public string CompilerVersion { get; }

    /// <summary>Loads the artifact embedded as CreAspire.Chain.Contracts.&lt;name&gt;.json.</summary>
    public static ContractArtifact Load(string contractName)
    {
        var resource = $"CreAspire.Chain.Contracts.{contractName}.json";
        using var stream = typeof(ContractArtifact).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException(
                $"The compiled contract '{contractName}' is not embedded ({resource}); rebuild CreAspire.Chain (its build compiles Chain/contracts/*.sol with solc-js).");
        using var document = JsonDocument.Parse(stream);
        var root = document.RootElement;
        return new ContractArtifact(
            contractName,
            ContractAbi.FromJson(root.GetProperty("abi")),
            Hex.Decode(root.GetProperty("bytecode").GetString()!),
            root.GetProperty("solcVersion").GetString() ?? "");
    }
}
