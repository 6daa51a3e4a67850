using CreAspire.Chain.Contracts;
using CreAspire.Chain.Crypto;
using CreAspire.Chain.Registries;
using CreAspire.Chain.Rpc;

namespace CreAspire.Operations.Registry;

/// <summary>
/// <see cref="IRegistryReader"/> and <see cref="IWorkflowOwnerOperations"/> over today's Chain bindings (our WorkflowRegistry
/// and CapabilitiesRegistry contracts). The only place the explorer and the actions touch the chain client: moving to other
/// registry contracts or another client means rewriting this adapter, nothing else.
/// </summary>
public sealed class ChainRegistry : IRegistryReader, IWorkflowOwnerOperations, IDisposable
{
    private readonly EthRpcClient _rpc;
    private readonly WorkflowRegistry _workflows;
    private readonly CapabilitiesRegistry _capabilities;
    private readonly EthKey _owner;
    private readonly TimeProvider _clock;
    private readonly SemaphoreSlim _connect = new(1, 1);
    private EvmSigner? _signer;

    public ChainRegistry(ChainRegistryOptions options, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _rpc = new EthRpcClient(options.RpcUrl);
        _workflows = new WorkflowRegistry(_rpc, RequireAddress(options.WorkflowRegistry, "Chain:WorkflowRegistry"));
        _capabilities = new CapabilitiesRegistry(_rpc, RequireAddress(options.CapabilitiesRegistry, "Chain:CapabilitiesRegistry"));
        _owner = EthKey.FromHex(options.OwnerPrivateKey);
        _clock = clock ?? TimeProvider.System;
    }

    public string Owner => _owner.Address;

    public async Task<IReadOnlyList<RegistryWorkflow>> ListWorkflowsAsync(string donFamily, CancellationToken cancellationToken)
    {
        var listed = await ReadAsync("getWorkflowListByDON", () => _workflows.GetAllWorkflowsByDonAsync(donFamily, cancellationToken)).ConfigureAwait(false);
        return listed.Select(ToWorkflow).ToArray();
    }

    public async Task<RegistryWorkflow?> FindWorkflowAsync(string workflowId, CancellationToken cancellationToken)
    {
        try
        {
            return ToWorkflow(await _workflows.GetWorkflowByIdAsync(IdBytes(workflowId), cancellationToken).ConfigureAwait(false));
        }
        catch (ContractRevertException ex) when (ex.ErrorName == "WorkflowDoesNotExist")
        {
            return null;
        }
        catch (Exception ex) when (ex is ContractRevertException or EthRpcException or HttpRequestException or TimeoutException)
        {
            throw new RegistryOperationException($"getWorkflowById({workflowId}) failed: {ex.Message}", (ex as ContractRevertException)?.ErrorName, ex);
        }
    }

    public async Task<RegistryTopology> ReadTopologyAsync(CancellationToken cancellationToken)
    {
        var nodes = await ReadAsync("getNodes", () => _capabilities.GetNodesAsync(cancellationToken)).ConfigureAwait(false);
        var dons = await ReadAsync("getDONs", () => _capabilities.GetDonsAsync(cancellationToken)).ConfigureAwait(false);
        var capabilities = await ReadAsync("getCapabilities", () => _capabilities.GetCapabilitiesAsync(cancellationToken)).ConfigureAwait(false);
        var byP2pId = nodes.ToDictionary(n => Hex.Encode(n.P2pId), StringComparer.Ordinal);
        return new RegistryTopology(
            dons.Select(d => new RegistryDon(
                d.Id, d.Name, d.F, d.DonFamilies, d.IsPublic, d.AcceptsWorkflows,
                d.NodeP2pIds.Select(p => byP2pId.TryGetValue(Hex.Encode(p), out var node)
                    ? ToNode(node)
                    : new RegistryNode("(not registered)", Hex.Encode(p), "", [])).ToArray(),
                d.CapabilityConfigurations.Select(c => c.CapabilityId).ToArray())).ToArray(),
            capabilities.Select(c => c.CapabilityId).ToArray(),
            _clock.GetUtcNow());
    }

    public async Task<RegistryTransaction> UpsertAsync(WorkflowUpsert workflow, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(workflow);
        var registration = new WorkflowRegistration(workflow.Name, workflow.Tag, IdBytes(workflow.WorkflowId), WorkflowStatus.Active,
            workflow.DonFamily, workflow.BinaryUrl, workflow.ConfigUrl, workflow.Attributes, workflow.KeepAlive);
        return await SendAsync("upsertWorkflow", signer => _workflows.UpsertWorkflowAsync(signer, registration, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    public Task<RegistryTransaction> PauseAsync(string workflowId, CancellationToken cancellationToken) =>
        SendAsync("pauseWorkflow", signer => _workflows.PauseWorkflowAsync(signer, IdBytes(workflowId), cancellationToken), cancellationToken);

    // Our registry's activateWorkflow takes only the id; the DON family stays the one the workflow was registered in.
    public Task<RegistryTransaction> ActivateAsync(string workflowId, string donFamily, CancellationToken cancellationToken) =>
        SendAsync("activateWorkflow", signer => _workflows.ActivateWorkflowAsync(signer, IdBytes(workflowId), cancellationToken), cancellationToken);

    public Task<RegistryTransaction> DeleteAsync(string workflowId, CancellationToken cancellationToken) =>
        SendAsync("deleteWorkflow", signer => _workflows.DeleteWorkflowAsync(signer, IdBytes(workflowId), cancellationToken), cancellationToken);

    public void Dispose()
    {
        _rpc.Dispose();
        _connect.Dispose();
    }

    private async Task<RegistryTransaction> SendAsync(string operation, Func<EvmSigner, Task<TransactionReceipt>> send, CancellationToken cancellationToken)
    {
        try
        {
            var receipt = await send(await SignerAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
            return new RegistryTransaction(receipt.TransactionHash, receipt.BlockNumber);
        }
        catch (ContractRevertException ex)
        {
            throw new RegistryOperationException($"The WorkflowRegistry refused {operation}: {ex.Error?.ToString() ?? ex.Message}", ex.ErrorName, ex);
        }
        catch (Exception ex) when (ex is EthRpcException or TransactionFailedException or HttpRequestException or TimeoutException)
        {
            throw new RegistryOperationException($"{operation} could not be sent to the chain at {_rpc.Endpoint}: {ex.Message}", null, ex);
        }
    }

    private async Task<T> ReadAsync<T>(string operation, Func<Task<T>> read)
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ContractRevertException or EthRpcException or HttpRequestException or TimeoutException)
        {
            throw new RegistryOperationException($"{operation} on the chain at {_rpc.Endpoint} failed: {ex.Message}", (ex as ContractRevertException)?.ErrorName, ex);
        }
    }

    private async Task<EvmSigner> SignerAsync(CancellationToken cancellationToken)
    {
        if (_signer is { } signer)
        {
            return signer;
        }

        await _connect.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _signer ??= await EvmSigner.ConnectAsync(_rpc, _owner, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _connect.Release();
        }
    }

    private static RegistryWorkflow ToWorkflow(WorkflowMetadata m) => new(
        Hex.Encode(m.WorkflowId),
        m.Owner.ToLowerInvariant(),
        DateTimeOffset.FromUnixTimeSeconds((long)m.CreatedAt),
        m.Status == WorkflowStatus.Paused ? RegistryWorkflowStatus.Paused : RegistryWorkflowStatus.Active,
        m.WorkflowName,
        m.Tag,
        m.DonFamily,
        m.BinaryUrl,
        m.ConfigUrl,
        m.Attributes);

    private static RegistryNode ToNode(NodeRecord n) => new(n.Signer.ToLowerInvariant(), Hex.Encode(n.P2pId), Hex.Encode(n.EncryptionPublicKey), n.CapabilityIds);

    private static byte[] IdBytes(string workflowId)
    {
        return Hex.IsHexOfLength(workflowId, 32)
            ? Hex.Decode(workflowId)
            : throw new ArgumentException($"'{workflowId}' is not a workflow id (64 hex characters).", nameof(workflowId));
    }

    private static string RequireAddress(string value, string key) => Hex.IsHexOfLength(value, 20)
        ? value
        : throw new ArgumentException($"{key} = '{value}' is not a 0x contract address; pass the address the 'contracts' step deployed.");
}

/// <summary>Where the registries are and which owner account sends the owner operations (default: the linked dev owner, Anvil #1).</summary>
public sealed record ChainRegistryOptions(string RpcUrl, string WorkflowRegistry, string CapabilitiesRegistry)
{
    public string OwnerPrivateKey { get; init; } = DevAccounts.WorkflowOwnerPrivateKey;
}
