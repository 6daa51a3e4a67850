using CreAspire.Chain.Contracts;
using CreAspire.Chain.Registries;
using Nethereum.JsonRpc.Client;
using Nethereum.RPC.Eth.DTOs;
using Nethereum.Signer;
using Nethereum.Web3;

namespace CreAspire.Operations.Registry;

/// <summary>
/// <see cref="IRegistryReader"/> and <see cref="IWorkflowOwnerOperations"/> over the Nethereum services of Chainlink's
/// WorkflowRegistry and CapabilitiesRegistry 2.0.0 (Chain's <see cref="WorkflowRegistryReader"/>,
/// <see cref="WorkflowRegistryWriter"/> and <see cref="CapabilitiesRegistryReader"/>). The only place the explorer and the
/// actions touch the chain: another registry version or client means rewriting this adapter, nothing else.
/// </summary>
public sealed class ChainRegistry : IRegistryReader, IWorkflowOwnerOperations
{
    /// <summary>getWorkflowListByDON page size (the workflow nodes' syncer reads pages of the same size).</summary>
    private const ulong PageSize = 1000;

    private readonly string _rpcUrl;
    private readonly string _workflowRegistry;
    private readonly WorkflowRegistryReader _workflows;
    private readonly CapabilitiesRegistryReader _capabilities;
    private readonly EthECKey _owner;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _connect = new(1, 1);
    private WorkflowRegistryWriter? _writer;

    public ChainRegistry(ChainRegistryOptions options, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _rpcUrl = options.RpcUrl;
        _workflowRegistry = ChainAddresses.Require(options.WorkflowRegistry, "Chain:WorkflowRegistry");
        var web3 = ChainClients.ReadOnly(ChainClients.CreateRpcClient(options.RpcUrl));
        _workflows = new WorkflowRegistryReader(web3, _workflowRegistry);
        _capabilities = new CapabilitiesRegistryReader(web3, ChainAddresses.Require(options.CapabilitiesRegistry, "Chain:CapabilitiesRegistry"));
        _owner = new EthECKey(options.OwnerPrivateKey);
        _clock = clock ?? TimeProvider.System;
    }

    public string Owner => DevAccounts.AddressOf(_owner);

    public async Task<IReadOnlyList<RegistryWorkflow>> ListWorkflowsAsync(string donFamily, CancellationToken cancellationToken)
    {
        var all = new List<RegistryWorkflow>();
        for (ulong start = 0; ; start += PageSize)
        {
            var page = await ReadAsync("WorkflowRegistry.getWorkflowListByDON",
                () => _workflows.GetWorkflowListByDonAsync(donFamily, start, PageSize, cancellationToken)).ConfigureAwait(false);
            all.AddRange(page.Select(ToWorkflow));
            if ((ulong)page.Count < PageSize)
            {
                return all;
            }
        }
    }

    public async Task<RegistryWorkflow?> FindWorkflowAsync(string workflowId, CancellationToken cancellationToken)
    {
        var id = IdBytes(workflowId);
        var found = await ReadAsync("WorkflowRegistry.getWorkflowById", () => _workflows.GetWorkflowByIdAsync(id, cancellationToken)).ConfigureAwait(false);
        // The 2.0.0 registry answers an empty view (no name, zero owner) for an id it does not hold.
        return found.WorkflowName.Length == 0 ? null : ToWorkflow(found);
    }

    public async Task<RegistryTopology> ReadTopologyAsync(CancellationToken cancellationToken)
    {
        var contents = await ReadAsync("CapabilitiesRegistry reads", () => _capabilities.ReadAsync(cancellationToken)).ConfigureAwait(false);
        var byP2pId = contents.Nodes.ToDictionary(n => Convert.ToHexStringLower(n.P2pId), StringComparer.Ordinal);
        return new RegistryTopology(
            contents.Dons.Select(d => new RegistryDon(
                d.Id, d.Name, d.F, d.DonFamilies, d.IsPublic, d.AcceptsWorkflows,
                d.NodeP2PIds.Select(p => byP2pId.TryGetValue(Convert.ToHexStringLower(p), out var node)
                    ? ToNode(node)
                    : new RegistryNode("(not registered)", Convert.ToHexStringLower(p), "", [])).ToArray(),
                d.CapabilityConfigurations.Select(c => c.CapabilityId).ToArray())).ToArray(),
            contents.Capabilities.Select(c => c.CapabilityId).ToArray(),
            _clock.GetUtcNow());
    }

    public async Task<RegistryTransaction> UpsertAsync(WorkflowUpsert workflow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var registration = new WorkflowRegistration(workflow.Name, workflow.Tag, IdBytes(workflow.WorkflowId), WorkflowStatus.Active,
            workflow.DonFamily, workflow.BinaryUrl, workflow.ConfigUrl, workflow.Attributes, workflow.KeepAlive);
        return await SendAsync("upsertWorkflow", writer => writer.UpsertWorkflowAsync(registration, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    public Task<RegistryTransaction> PauseAsync(string workflowId, CancellationToken cancellationToken)
    {
        var id = IdBytes(workflowId);
        return SendAsync("pauseWorkflow", writer => writer.PauseWorkflowAsync(id, cancellationToken), cancellationToken);
    }

    /// <summary>activateWorkflow(bytes32, string): the 2.0.0 registry re-activates in a DON family, checking its DON limit.</summary>
    public Task<RegistryTransaction> ActivateAsync(string workflowId, string donFamily, CancellationToken cancellationToken)
    {
        var id = IdBytes(workflowId);
        return SendAsync("activateWorkflow", writer => writer.ActivateWorkflowAsync(id, donFamily, cancellationToken), cancellationToken);
    }

    public Task<RegistryTransaction> DeleteAsync(string workflowId, CancellationToken cancellationToken)
    {
        var id = IdBytes(workflowId);
        return SendAsync("deleteWorkflow", writer => writer.DeleteWorkflowAsync(id, cancellationToken), cancellationToken);
    }

    private async Task<RegistryTransaction> SendAsync(string operation, Func<WorkflowRegistryWriter, Task<TransactionReceipt>> send, CancellationToken cancellationToken)
    {
        try
        {
            var receipt = await send(await WriterAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            return new RegistryTransaction(receipt.TransactionHash, (ulong)receipt.BlockNumber.Value);
        }
        catch (ContractRevertException ex)
        {
            throw new RegistryOperationException($"The WorkflowRegistry refused {operation}: {Describe(ex)}", ex.ErrorName, ex);
        }
        catch (Exception ex) when (IsTransport(ex) || ex is TransactionFailedException)
        {
            throw new RegistryOperationException($"{operation} could not be sent to the chain at {_rpcUrl}: {ex.Message}", null, ex);
        }
    }

    private async Task<T> ReadAsync<T>(string operation, Func<Task<T>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (ContractRevertException ex)
        {
            throw new RegistryOperationException($"{operation} failed: {ex.Message}", ex.ErrorName, ex);
        }
        catch (Exception ex) when (IsTransport(ex) || ex is UnsupportedRegistryException)
        {
            throw new RegistryOperationException($"{operation} on the chain at {_rpcUrl} failed: {ex.Message}", null, ex);
        }
    }

    /// <summary>The contract's error with its arguments ("URLTooLong(provided: 231, maxAllowed: 200)"), else the whole revert message.</summary>
    private static string Describe(ContractRevertException ex) =>
        ex.ErrorName is { } name ? $"{name}({string.Join(", ", ex.Arguments)})" : ex.Message;

    private static bool IsTransport(Exception ex) =>
        ex is RpcClientUnknownException or RpcClientTimeoutException or RpcResponseException or HttpRequestException or TimeoutException;

    private async Task<WorkflowRegistryWriter> WriterAsync(CancellationToken cancellationToken)
    {
        if (_writer is { } writer)
        {
            return writer;
        }

        await _connect.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _writer ??= await WorkflowRegistryWriter.ConnectAsync(_rpcUrl, _workflowRegistry, _owner, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _connect.Release();
        }
    }

    private static RegistryWorkflow ToWorkflow(WorkflowMetadata m) => new(
        Convert.ToHexStringLower(m.WorkflowId),
        m.Owner.ToLowerInvariant(),
        DateTimeOffset.FromUnixTimeSeconds((long)m.CreatedAt),
        m.Status == WorkflowStatus.Paused ? RegistryWorkflowStatus.Paused : RegistryWorkflowStatus.Active,
        m.WorkflowName,
        m.Tag,
        m.DonFamily,
        m.BinaryUrl,
        m.ConfigUrl,
        m.Attributes);

    private static RegistryNode ToNode(RegisteredNode n) =>
        new(n.Signer, Convert.ToHexStringLower(n.P2pId), Convert.ToHexStringLower(n.EncryptionPublicKey), n.CapabilityIds);

    private static byte[] IdBytes(string workflowId)
    {
        var hex = workflowId.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? workflowId[2..] : workflowId;
        return hex.Length == 64 && hex.All(Uri.IsHexDigit)
            ? Convert.FromHexString(hex)
            : throw new ArgumentException($"'{workflowId}' is not a workflow id (64 hex characters).", nameof(workflowId));
    }
}

/// <summary>Where the registries are and which owner account sends the owner operations (default: the linked dev owner, Anvil #1).</summary>
public sealed record ChainRegistryOptions(string RpcUrl, string WorkflowRegistry, string CapabilitiesRegistry)
{
    public string OwnerPrivateKey { get; init; } = DevAccounts.WorkflowOwnerPrivateKey;
}
