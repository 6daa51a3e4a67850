using System.Security.Cryptography;
using System.Text;
using CreAspire.Chain.Contracts;
using CreAspire.Chain.Registries;
using CreAspire.Execution.Artifacts;
using CreAspire.Protocol.Workflows;

namespace CreAspire.AppHost.Samples;

/// <summary>What to deploy: a built sample workflow, under which name, with which attributes and schedule.</summary>
public sealed record SampleDeployment(
    string RpcUrl,
    string WorkflowRegistry,
    string ArtifactsFolder,
    Uri ArtifactsBaseUrl,
    string Sample,
    string WorkflowName,
    byte[] Attributes,
    string Schedule,
    string DonFamily = "zone-a",
    string Tag = "v1");

/// <summary>A registered workflow: its id (hex, no 0x), owner, and the URLs registered on-chain.</summary>
public sealed record DeployedWorkflow(string WorkflowId, string WorkflowName, string Owner, string BinaryUrl, string ConfigUrl, byte[] Attributes);

/// <summary>
/// The C# twin of the original's CompileAndDeployConfidentialWorkflow: packs a built sample (base64 of brotli WASM, as the
/// original stores binaries), publishes binary and config in the artifacts folder (served over HTTP for the enclave, read
/// from disk by the workflow nodes' file fetcher), computes the workflow id and registers it from the linked dev owner
/// (Anvil account #1, not the deployer).
/// </summary>
public static class SampleWorkflowDeployer
{
    /// <summary>The sample workflows the build compiles (workflows/&lt;name&gt;).</summary>
    public static IReadOnlyList<string> Samples { get; } = ["hello-cron", "confidential-mock"];

    /// <summary>The attributes of a confidential workflow that reads MOCK_SECRET (reference §2.1).</summary>
    public static byte[] ConfidentialAttributes { get; } = Encoding.UTF8.GetBytes("{\"confidential\":true,\"vault_don_secrets\":[{\"key\":\"MOCK_SECRET\"}]}");

    public static string WasmPath(string sample) => Path.Combine(AppContext.BaseDirectory, "workflows", sample + ".wasm");

    public static async Task<DeployedWorkflow> DeployAsync(SampleDeployment deployment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(deployment);
        if (!Samples.Contains(deployment.Sample, StringComparer.Ordinal))
        {
            throw new ArgumentException($"'{deployment.Sample}' is not a sample workflow; use one of {string.Join(", ", Samples)}.", nameof(deployment));
        }

        var wasmPath = WasmPath(deployment.Sample);
        if (!File.Exists(wasmPath))
        {
            throw new FileNotFoundException($"The sample workflow '{deployment.Sample}' is not built at {wasmPath}; build the solution (it compiles workflows/).");
        }

        var artifact = WorkflowArtifact.Pack(await File.ReadAllBytesAsync(wasmPath, cancellationToken).ConfigureAwait(false));
        var config = Encoding.UTF8.GetBytes(deployment.Schedule);
        var owner = DevAccounts.WorkflowOwner;
        var ownerAddress = DevAccounts.AddressOf(owner);
        var workflowId = WorkflowIds.Compute(owner.GetPublicAddressAsBytes(), deployment.WorkflowName, WorkflowArtifact.DecodeBase64(artifact), config);

        // File names carry a content hash so redeploying with other bytes never overwrites what a running node fetched.
        var stem = $"{deployment.WorkflowName}-{Convert.ToHexStringLower(SHA256.HashData(artifact))[..12]}";
        await WriteAtomicallyAsync(Path.Combine(deployment.ArtifactsFolder, stem + ".wasm.b64"), artifact, cancellationToken).ConfigureAwait(false);
        await WriteAtomicallyAsync(Path.Combine(deployment.ArtifactsFolder, stem + ".config"), config, cancellationToken).ConfigureAwait(false);
        var binaryUrl = new Uri(deployment.ArtifactsBaseUrl, stem + ".wasm.b64").ToString();
        var configUrl = new Uri(deployment.ArtifactsBaseUrl, stem + ".config").ToString();

        var registration = new WorkflowRegistration(deployment.WorkflowName, deployment.Tag, workflowId, WorkflowStatus.Active, deployment.DonFamily,
            binaryUrl, configUrl, deployment.Attributes, KeepAlive: true);
        var writer = await WorkflowRegistryWriter.ConnectAsync(deployment.RpcUrl, deployment.WorkflowRegistry, owner, cancellationToken).ConfigureAwait(false);

        // The real registry takes every workflow id once (the id covers owner, name, binary and config, not the attributes or
        // tag). Deploying the same sample again is a no-op; the same id with other attributes, tag or family is refused by
        // the contract (WorkflowIDAlreadyExists, named in the error): change the name or the schedule.
        if (await FindAsync(writer, workflowId, cancellationToken).ConfigureAwait(false) is not { } existing || !SameAs(existing, registration))
        {
            await writer.UpsertWorkflowAsync(registration, cancellationToken).ConfigureAwait(false);
        }

        return new DeployedWorkflow(Convert.ToHexStringLower(workflowId), deployment.WorkflowName, ownerAddress, binaryUrl, configUrl, deployment.Attributes);
    }

    private static async Task<WorkflowMetadata?> FindAsync(WorkflowRegistryWriter writer, byte[] workflowId, CancellationToken cancellationToken)
    {
        // getWorkflowById answers an empty view (no name) for an id it does not know.
        var found = await new WorkflowRegistryReader(writer.Web3, writer.Address).GetWorkflowByIdAsync(workflowId, cancellationToken).ConfigureAwait(false);
        return found.WorkflowName.Length == 0 ? null : found;
    }

    private static bool SameAs(WorkflowMetadata existing, WorkflowRegistration wanted) =>
        existing.WorkflowName == wanted.WorkflowName && existing.Tag == wanted.Tag && existing.DonFamily == wanted.DonFamily
        && existing.BinaryUrl == wanted.BinaryUrl && existing.ConfigUrl == wanted.ConfigUrl && existing.Status == wanted.Status
        && existing.Attributes.AsSpan().SequenceEqual(wanted.Attributes);

    private static async Task WriteAtomicallyAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        var temporary = path + ".tmp-" + Environment.ProcessId;
        await File.WriteAllBytesAsync(temporary, bytes, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }
}
