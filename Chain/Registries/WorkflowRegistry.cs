using System.Globalization;
using CreAspire.Chain.Abi;
using CreAspire.Chain.Abi.Encoders;
using CreAspire.Chain.Contracts;
using CreAspire.Chain.Crypto;
using CreAspire.Chain.Rpc;

namespace CreAspire.Chain.Registries;

/// <summary>What <see cref="WorkflowRegistry.UpsertWorkflowAsync"/> registers (the arguments of upsertWorkflow).</summary>
public sealed record WorkflowRegistration(
    string WorkflowName,
    string Tag,
    byte[] WorkflowId,
    WorkflowStatus Status,
    string DonFamily,
    string BinaryUrl,
    string ConfigUrl,
    byte[] Attributes,
    bool KeepAlive = true);

/// <summary>
/// Typed binding of WorkflowRegistry (v2 surface). Reads need only an RPC client and the address; writes take the
/// <see cref="EvmSigner"/> of the workflow owner (or of the contract owner for admin calls). Reverts throw
/// <see cref="ContractRevertException"/> naming the custom error.
/// </summary>
public sealed class WorkflowRegistry(EthRpcClient rpc, string address)
    : ContractBinding(rpc, address, ContractArtifact.WorkflowRegistry), IWorkflowRegistryReader
{
    public const string TypeAndVersionValue = "WorkflowRegistry 2.0.0";

    public async Task<string> TypeAndVersionAsync(CancellationToken cancellationToken) =>
        (await CallAsync("typeAndVersion", cancellationToken).ConfigureAwait(false))[0].AsString();

    public async Task<IReadOnlyList<WorkflowMetadata>> GetWorkflowListByDonAsync(string donFamily, ulong start, ulong limit, CancellationToken cancellationToken)
    {
        var result = await CallAsync("getWorkflowListByDON", cancellationToken, donFamily, start, limit).ConfigureAwait(false);
        return result[0].AsArray().Select(ToMetadata).ToArray();
    }

    /// <summary>Every workflow of a family, read in pages of <paramref name="pageSize"/>.</summary>
    public async Task<IReadOnlyList<WorkflowMetadata>> GetAllWorkflowsByDonAsync(string donFamily, CancellationToken cancellationToken, ulong pageSize = 100)
    {
        var all = new List<WorkflowMetadata>();
        while (true)
        {
            var page = await GetWorkflowListByDonAsync(donFamily, (ulong)all.Count, pageSize, cancellationToken).ConfigureAwait(false);
            all.AddRange(page);
            if ((ulong)page.Count < pageSize)
            {
                return all;
            }
        }
    }

    public async Task<WorkflowMetadata> GetWorkflowByIdAsync(byte[] workflowId, CancellationToken cancellationToken) =>
        ToMetadata((await CallAsync("getWorkflowById", cancellationToken, workflowId).ConfigureAwait(false))[0]);

    public async Task<bool> IsOwnerLinkedAsync(string owner, CancellationToken cancellationToken) =>
        (await CallAsync("isOwnerLinked", cancellationToken, AbiValue.Address(owner)).ConfigureAwait(false))[0].AsBool();

    public async Task<bool> IsAllowedSignerAsync(string signer, CancellationToken cancellationToken) =>
        (await CallAsync("isAllowedSigner", cancellationToken, AbiValue.Address(signer)).ConfigureAwait(false))[0].AsBool();

    public async Task<(uint Limit, bool Enabled)> GetDonLimitAsync(string donFamily, CancellationToken cancellationToken)
    {
        var result = await CallAsync("getDONLimit", cancellationToken, donFamily).ConfigureAwait(false);
        return ((uint)result[0].AsUInt64(), result[1].AsBool());
    }

    // ------------------------------------------------------------------ workflow owner

    /// <summary>
    /// One call for tests and tools: upserts <paramref name="registration"/> on the registry at <paramref name="registryAddress"/>,
    /// signed by <paramref name="owner"/> (default: the linked dev workflow owner, Anvil account #1). Returns the receipt.
    /// </summary>
    public static async Task<TransactionReceipt> RegisterWorkflowAsync(
        string rpcUrl, string registryAddress, WorkflowRegistration registration, CancellationToken cancellationToken, EthKey? owner = null)
    {
        using var rpc = new EthRpcClient(rpcUrl);
        var signer = await EvmSigner.ConnectAsync(rpc, owner ?? DevAccounts.WorkflowOwner, cancellationToken).ConfigureAwait(false);
        return await new WorkflowRegistry(rpc, registryAddress).UpsertWorkflowAsync(signer, registration, cancellationToken).ConfigureAwait(false);
    }

    public Task<TransactionReceipt> UpsertWorkflowAsync(EvmSigner owner, WorkflowRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return SendAsync(owner, "upsertWorkflow", cancellationToken, UpsertArguments(registration));
    }

    public Task<TransactionReceipt> PauseWorkflowAsync(EvmSigner owner, byte[] workflowId, CancellationToken cancellationToken) =>
        SendAsync(owner, "pauseWorkflow", cancellationToken, workflowId);

    public Task<TransactionReceipt> ActivateWorkflowAsync(EvmSigner owner, byte[] workflowId, CancellationToken cancellationToken) =>
        SendAsync(owner, "activateWorkflow", cancellationToken, workflowId);

    public Task<TransactionReceipt> DeleteWorkflowAsync(EvmSigner owner, byte[] workflowId, CancellationToken cancellationToken) =>
        SendAsync(owner, "deleteWorkflow", cancellationToken, workflowId);

    public Task<TransactionReceipt> LinkOwnerAsync(EvmSigner owner, OwnerLinkProof proof, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return SendAsync(owner, "linkOwner", cancellationToken, LinkArguments(proof));
    }

    // ------------------------------------------------------------------ contract owner (admin)

    public Task<TransactionReceipt> UpdateAllowedSignersAsync(EvmSigner admin, IEnumerable<string> signers, bool allowed, CancellationToken cancellationToken) =>
        SendAsync(admin, "updateAllowedSigners", cancellationToken, AbiValue.Array(signers.Select(AbiValue.Address)), allowed);

    public Task<TransactionReceipt> SetDonLimitAsync(EvmSigner admin, string donFamily, uint limit, bool enabled, CancellationToken cancellationToken) =>
        SendAsync(admin, "setDONLimit", cancellationToken, donFamily, limit, enabled);

    // ------------------------------------------------------------------ owner linking proof

    /// <summary>
    /// The link request an allowed signer issues: EIP-191 signature over
    /// keccak256(abi.encode(uint8 0, owner, chainId, registry, "v1", validityTimestamp, proof)), computed locally.
    /// </summary>
    public OwnerLinkProof CreateLinkProof(EthKey allowedSigner, string owner, ulong chainId, DateTimeOffset validUntil, byte[]? proof = null)
    {
        ArgumentNullException.ThrowIfNull(allowedSigner);
        proof ??= Keccak256.Hash($"creaspire-link/{owner.ToLowerInvariant()}/{Address}/{chainId.ToString(CultureInfo.InvariantCulture)}");
        var validity = (ulong)validUntil.ToUnixTimeSeconds();
        var message = SequenceEncoder.Encode(
            [AbiType.Parse("uint8"), AbiType.Parse("address"), AbiType.Parse("uint256"), AbiType.Parse("address"), AbiType.Parse("string"), AbiType.Parse("uint256"), AbiType.Parse("bytes32")],
            [0, AbiValue.Address(owner), chainId, AbiValue.Address(Address), "v1", validity, proof]);
        var signature = allowedSigner.SignPersonalMessage(Keccak256.Hash(message));
        return new OwnerLinkProof(validity, proof, signature);
    }

    internal static AbiValue[] UpsertArguments(WorkflowRegistration r) =>
        [r.WorkflowName, r.Tag, r.WorkflowId, (int)r.Status, r.DonFamily, r.BinaryUrl, r.ConfigUrl, r.Attributes, r.KeepAlive];

    internal static AbiValue[] LinkArguments(OwnerLinkProof proof) => [proof.ValidityTimestamp, proof.Proof, proof.Signature];

    private static WorkflowMetadata ToMetadata(AbiValue view)
    {
        var f = view.AsTuple();
        return new WorkflowMetadata(
            f[0].AsBytes(), f[1].AsAddress(), f[2].AsUInt64(), (WorkflowStatus)(byte)f[3].AsUInt64(), f[4].AsString(), f[5].AsString(),
            f[6].AsString(), f[7].AsString(), f[8].AsBytes(), f[9].AsString());
    }
}

/// <summary>A signed owner-link request: pass to linkOwner from the owner's account before <see cref="ValidityTimestamp"/>.</summary>
public sealed record OwnerLinkProof(ulong ValidityTimestamp, byte[] Proof, byte[] Signature);
