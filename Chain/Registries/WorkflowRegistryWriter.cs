using System.Globalization;
using System.Numerics;
using System.Text;
using CreAspire.Chain.Contracts;
using CreAspire.Chain.Contracts.WorkflowRegistry;
using CreAspire.Chain.Identity;
using Nethereum.ABI;
using Nethereum.Contracts;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;
using Nethereum.Util;
using Nethereum.Web3;

namespace CreAspire.Chain.Registries;

/// <summary>What <see cref="WorkflowRegistryWriter.UpsertWorkflowAsync"/> registers (the arguments of upsertWorkflow).</summary>
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

/// <summary>A signed owner-link request: pass to linkOwner from the owner's account before <see cref="ValidityTimestamp"/>.</summary>
public sealed record OwnerLinkProof(ulong ValidityTimestamp, byte[] Proof, byte[] Signature);

/// <summary>
/// Transactions to a WorkflowRegistry from one account (a workflow owner, or the contract owner for admin calls), over the
/// typed <see cref="WorkflowRegistryService"/>: each waits for its receipt, and a revert throws
/// <see cref="ContractRevertException"/> naming the contract's error and its arguments.
/// </summary>
public sealed class WorkflowRegistryWriter
{
    public WorkflowRegistryWriter(IWeb3 web3, string address)
    {
        ArgumentNullException.ThrowIfNull(web3);
        Web3 = web3;
        Service = new WorkflowRegistryService(web3, ChainAddresses.Require(address, "WorkflowRegistry"));
    }

    public IWeb3 Web3 { get; }

    public WorkflowRegistryService Service { get; }

    /// <summary>Lower-case 0x address of the contract.</summary>
    public string Address => Service.ContractAddress;

    /// <summary>Lower-case 0x address of the sending account.</summary>
    public string Sender => Web3.TransactionManager.Account.Address.ToLowerInvariant();

    /// <summary>Connects to <paramref name="rpcUrl"/> (reading its chain id) as <paramref name="signer"/>.</summary>
    public static async Task<WorkflowRegistryWriter> ConnectAsync(string rpcUrl, string registryAddress, EthECKey signer, CancellationToken cancellationToken) =>
        new(await ChainClients.ConnectAsync(rpcUrl, signer, cancellationToken).ConfigureAwait(false), registryAddress);

    /// <summary>
    /// One call for tools and tests: upserts <paramref name="registration"/> on the registry at <paramref name="registryAddress"/>,
    /// signed by <paramref name="owner"/> (default: the linked dev workflow owner, Anvil account #1). Returns the receipt.
    /// </summary>
    public static async Task<TransactionReceipt> RegisterWorkflowAsync(
        string rpcUrl, string registryAddress, WorkflowRegistration registration, CancellationToken cancellationToken, EthECKey? owner = null)
    {
        var writer = await ConnectAsync(rpcUrl, registryAddress, owner ?? DevAccounts.WorkflowOwner, cancellationToken).ConfigureAwait(false);
        return await writer.UpsertWorkflowAsync(registration, cancellationToken).ConfigureAwait(false);
    }

    public Task<TransactionReceipt> UpsertWorkflowAsync(WorkflowRegistration registration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(registration);
        return SendAsync("upsertWorkflow", () => Service.UpsertWorkflowRequestAndWaitForReceiptAsync(ToFunction(registration), cancellationToken));
    }

    public Task<TransactionReceipt> PauseWorkflowAsync(byte[] workflowId, CancellationToken cancellationToken) =>
        SendAsync("pauseWorkflow", () => Service.PauseWorkflowRequestAndWaitForReceiptAsync(workflowId, cancellationToken));

    /// <summary>Re-activates a paused workflow on <paramref name="donFamily"/> (the real registry checks the family's DON limit).</summary>
    public Task<TransactionReceipt> ActivateWorkflowAsync(byte[] workflowId, string donFamily, CancellationToken cancellationToken) =>
        SendAsync("activateWorkflow", () => Service.ActivateWorkflowRequestAndWaitForReceiptAsync(workflowId, donFamily, cancellationToken));

    public Task<TransactionReceipt> DeleteWorkflowAsync(byte[] workflowId, CancellationToken cancellationToken) =>
        SendAsync("deleteWorkflow", () => Service.DeleteWorkflowRequestAndWaitForReceiptAsync(workflowId, cancellationToken));

    public Task<TransactionReceipt> LinkOwnerAsync(OwnerLinkProof proof, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proof);
        return SendAsync("linkOwner", () => Service.LinkOwnerRequestAndWaitForReceiptAsync(proof.ValidityTimestamp, proof.Proof, proof.Signature, cancellationToken));
    }

    public Task<TransactionReceipt> UpdateAllowedSignersAsync(IEnumerable<string> signers, bool allowed, CancellationToken cancellationToken) =>
        SendAsync("updateAllowedSigners", () => Service.UpdateAllowedSignersRequestAndWaitForReceiptAsync(signers.ToList(), allowed, cancellationToken));

    public Task<TransactionReceipt> SetDonLimitAsync(string donFamily, uint limit, bool enabled, CancellationToken cancellationToken) =>
        SendAsync("setDONLimit", () => Service.SetDONLimitRequestAndWaitForReceiptAsync(donFamily, limit, enabled, cancellationToken));

    /// <summary>
    /// The link request an allowed signer issues, as the real registry verifies it: an EIP-191 signature over
    /// keccak256(abi.encode(uint8 LINK_OWNER = 0, owner, chainId, registry, typeAndVersion, validityTimestamp, proof)).
    /// The proof defaults to keccak256("creaspire-link/" + owner + "/" + registry + "/" + chainId) (unique per owner, registry and chain).
    /// </summary>
    public static OwnerLinkProof CreateLinkProof(
        EthECKey allowedSigner, string owner, ulong chainId, string registry, DateTimeOffset validUntil, byte[]? proof = null,
        string typeAndVersion = RegistryContracts.WorkflowRegistryTypeAndVersion)
    {
        ArgumentNullException.ThrowIfNull(allowedSigner);
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(registry);
        proof ??= Sha3Keccack.Current.CalculateHash(Encoding.UTF8.GetBytes(
            $"creaspire-link/{owner.ToLowerInvariant()}/{registry.ToLowerInvariant()}/{chainId.ToString(CultureInfo.InvariantCulture)}"));
        var validity = (ulong)validUntil.ToUnixTimeSeconds();
        var message = new ABIEncode().GetABIEncoded(
            new ABIValue("uint8", (byte)0),
            new ABIValue("address", owner),
            new ABIValue("uint256", new BigInteger(chainId)),
            new ABIValue("address", registry),
            new ABIValue("string", typeAndVersion),
            new ABIValue("uint256", new BigInteger(validity)),
            new ABIValue("bytes32", proof));
        var signature = PersonalMessages.Sign(allowedSigner, Sha3Keccack.Current.CalculateHash(message));
        return new OwnerLinkProof(validity, proof, signature);
    }

    public static UpsertWorkflowFunction ToFunction(WorkflowRegistration r)
    {
        ArgumentNullException.ThrowIfNull(r);
        return new UpsertWorkflowFunction
        {
            WorkflowName = r.WorkflowName,
            Tag = r.Tag,
            WorkflowId = r.WorkflowId,
            Status = (byte)r.Status,
            DonFamily = r.DonFamily,
            BinaryUrl = r.BinaryUrl,
            ConfigUrl = r.ConfigUrl,
            Attributes = r.Attributes,
            KeepAlive = r.KeepAlive,
        };
    }

    private async Task<TransactionReceipt> SendAsync(string function, Func<Task<TransactionReceipt>> send)
    {
        var operation = "WorkflowRegistry." + function;
        var receipt = await ContractErrors.RunAsync(operation, WorkflowRegistryService.ErrorTypes, send).ConfigureAwait(false);
        return await ContractErrors.EnsureSucceededAsync(Web3, receipt, operation, WorkflowRegistryService.ErrorTypes).ConfigureAwait(false);
    }
}
