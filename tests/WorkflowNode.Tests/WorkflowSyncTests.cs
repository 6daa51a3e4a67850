using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using CreAspire.Chain.Registries;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Confidential;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Workflows;
using CreAspire.WorkflowNode.Apis;
using CreAspire.WorkflowNode.Routing;
using CreAspire.WorkflowNode.Store;
using Dapper;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Npgsql;

namespace CreAspire.WorkflowNode.Tests;

/// <summary>The node against real Postgres: registration, routing, pause/update/delete, restart, refusals.</summary>
[Collection(PostgresCollection.Name)]
public sealed class WorkflowSyncTests(PostgresFixture postgres, Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private readonly string _basePath = Directory.CreateTempSubdirectory("creaspire-wfnode-artifacts-").FullName;
    private readonly FakeRegistryReader _registry = new();
    private string _db = "";

    public async Task InitializeAsync() => _db = await postgres.CreateDatabaseAsync();

    public Task DisposeAsync()
    {
        Directory.Delete(_basePath, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Registration_is_picked_up_within_two_poll_intervals_and_the_row_holds_the_exact_attributes()
    {
        // A poll interval long next to scheduling noise on a busy 2-core machine, so "within two intervals" checks the
        // syncer's cadence rather than the machine's load.
        await using var node = new NodeHarness(_db, _basePath, _registry) { PollInterval = TimeSpan.FromSeconds(1) };
        using var client = node.Start();
        await Eventually.TrueAsync(() => _registry.Reads > 0, Timeout, "first registry read");
        const string attributes = "{\"confidential\":false,\"enclave\":\"nitro\",  \"note\":\"kept byte for byte\"}";
        var workflow = TestWorkflow.Write(_basePath, "registered", attributes);

        var clock = Stopwatch.StartNew();
        _registry.Upsert(workflow.Metadata);
        await Eventually.TrueAsync(() => node.Engines.Running.Count == 1, Timeout, "engine start");
        var elapsed = clock.Elapsed;
        output.WriteLine($"registration → engine started: {elapsed.TotalMilliseconds:F0} ms (poll interval {node.PollInterval.TotalMilliseconds} ms)");

        Assert.True(elapsed < 2 * node.PollInterval, $"picked up after {elapsed.TotalMilliseconds} ms, poll interval {node.PollInterval.TotalMilliseconds} ms");
        var row = Assert.Single(await SpecsAsync());
        Assert.Equal(Encoding.UTF8.GetBytes(attributes), row.Attributes);
        Assert.Equal(workflow.WorkflowId, row.WorkflowId);
        Assert.Equal(TestWorkflow.Owner[2..], row.WorkflowOwner);
        Assert.Equal("registered", row.WorkflowName);
        Assert.Equal("v1", row.WorkflowTag);
        Assert.Equal(WorkflowSpec.ActiveStatus, row.Status);
        Assert.Equal(Convert.ToHexStringLower(TestWorkflow.Brotli(workflow.Wasm)), row.Workflow);
        Assert.Equal(Encoding.UTF8.GetString(workflow.Config), row.Config);
        Assert.Equal(workflow.Metadata.BinaryUrl, row.BinaryUrl);
        Assert.Equal(workflow.Wasm, Assert.Single(node.Modules.Binaries));

        var engine = Assert.Single(node.Engines.Created);
        Assert.Equal(workflow.WorkflowId, engine.Config.WorkflowId);
        Assert.Equal(workflow.Config, engine.Config.Config);
        Assert.NotNull(engine.Config.FeatureFlags);
        Assert.IsType<FakeModuleFactory.LocalModule>(engine.Module);

        var api = await node.GetWorkflowAsync(client, workflow.WorkflowId);
        Assert.NotNull(api);
        Assert.Equal(WorkflowEngineStates.Active, api.Status);
        Assert.False(api.Confidential);
        Assert.True(api.EngineRunning);
        Assert.Null(api.LastError);
    }

    [Fact]
    public async Task Syncer_pages_through_the_registry()
    {
        await using var node = new NodeHarness(_db, _basePath, _registry) { PageSize = 2 };
        var workflows = Enumerable.Range(0, 5).Select(i => TestWorkflow.Write(_basePath, $"paged-{i}")).ToList();
        workflows.ForEach(w => _registry.Upsert(w.Metadata));
        using var client = node.Start();

        await Eventually.TrueAsync(() => node.Engines.Running.Count == 5, Timeout, "five engines");
        Assert.Contains(_registry.Calls, c => c is { DonFamily: "zone-a", Start: 4, Limit: 2 });
        Assert.Equal(5, (await SpecsAsync()).Count);
    }

    [Fact]
    public async Task Malformed_attributes_create_no_engine_and_record_the_error_with_the_workflow_id()
    {
        await using var node = new NodeHarness(_db, _basePath, _registry);
        var workflow = TestWorkflow.Write(_basePath, "malformed", "{\"confidential\": tru");
        _registry.Upsert(workflow.Metadata);
        using var client = node.Start();

        var api = await Eventually.GetAsync(() => node.GetWorkflowAsync(client, workflow.WorkflowId), w => w?.Status == WorkflowEngineStates.Failed, Timeout, "failure recorded");

        Assert.StartsWith("failed to parse workflow attributes: ", api!.LastError, StringComparison.Ordinal);
        Assert.True(api.Permanent);
        Assert.False(api.EngineRunning);
        Assert.Empty(node.Engines.Created);
        Assert.Equal(0, node.Modules.Calls);
        var listed = await client.GetFromJsonAsync<List<NodeWorkflowView>>("/workflows");
        Assert.Contains(listed!, w => w.Id == workflow.WorkflowId && w.LastError == api.LastError);
        // The spec is persisted with its attributes, so the failure can be inspected.
        Assert.Equal(workflow.Metadata.Attributes, Assert.Single(await SpecsAsync()).Attributes);
    }

    /// <summary>These parsed, a confidential engine was created, and every execution threw NullReferenceException in ConfidentialModule.</summary>
    [Theory]
    [InlineData("null-entry", "{\"confidential\":true,\"vault_don_secrets\":[null]}", "vault_don_secrets[0] is null")]
    [InlineData("empty-entry", "{\"confidential\":true,\"vault_don_secrets\":[{}]}", "vault_don_secrets[0] has no \"key\"")]
    public async Task A_vault_don_secret_entry_without_a_key_fails_activation_naming_the_entry(string name, string attributes, string entry)
    {
        await using var node = new NodeHarness(_db, _basePath, _registry);
        var workflow = TestWorkflow.Write(_basePath, name, attributes);
        _registry.Upsert(workflow.Metadata);
        using var client = node.Start();

        var api = await Eventually.GetAsync(() => node.GetWorkflowAsync(client, workflow.WorkflowId), w => w?.Status == WorkflowEngineStates.Failed, Timeout, "failure recorded");

        Assert.Contains(entry, api!.LastError, StringComparison.Ordinal);
        Assert.True(api.Permanent);
        Assert.Empty(node.Engines.Created);
    }

    [Fact]
    public async Task Confidential_attributes_route_to_ConfidentialModule_and_never_ask_the_local_module_factory()
    {
        await using var node = new NodeHarness(_db, _basePath, _registry);
        node.Engines.SubscribeOnStart = true;
        var subscriptions = new ExecutionResult { TriggerSubscriptions = new TriggerSubscriptionRequest() };
        var capability = new FakeConfidentialCapability(_ => new CapabilityResponse
        {
            Payload = Any.Pack(new ConfidentialWorkflowResponse { ExecutionResult = subscriptions.ToByteString() }),
        });
        node.Capabilities.AddOrReplace(capability);
        var workflow = TestWorkflow.Write(_basePath, "confidential", "{\"confidential\":true,\"vault_don_secrets\":[{\"key\":\"MOCK_SECRET\"}]}");
        _registry.Upsert(workflow.Metadata);
        using var client = node.Start();

        await Eventually.TrueAsync(() => node.Engines.Running.Count == 1, Timeout, "confidential engine start");

        var engine = Assert.Single(node.Engines.Created);
        var module = Assert.IsType<ConfidentialModule>(engine.Module);
        Assert.Equal(0, node.Modules.Calls);
        Assert.Equal(subscriptions, engine.SubscribeResult);
        var call = Assert.Single(capability.Calls);
        var request = call.Payload!.Unpack<ConfidentialWorkflowRequest>();
        Assert.Equal(workflow.Metadata.BinaryUrl, request.Execution.BinaryUrl);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(workflow.BinaryArtifact), request.Execution.BinaryHash.ToByteArray());
        Assert.Equal(ExecuteRequest.RequestOneofCase.Subscribe, ExecuteRequest.Parser.ParseFrom(request.Execution.ExecuteRequest).RequestCase);
        Assert.Equal("main", Assert.Single(request.VaultDonSecrets).Namespace);
        Assert.Equal(workflow.WorkflowId, module.Workflow.WorkflowId);
        Assert.NotNull(engine.Config.FeatureFlags);

        var api = await node.GetWorkflowAsync(client, workflow.WorkflowId);
        Assert.True(api!.Confidential);
        Assert.Equal(WorkflowEngineStates.Active, api.Status);
    }

    [Fact]
    public async Task Pause_update_and_delete_take_effect()
    {
        await using var node = new NodeHarness(_db, _basePath, _registry);
        var v1 = TestWorkflow.Write(_basePath, "lifecycle", tag: "t");
        _registry.Upsert(v1.Metadata);
        using var client = node.Start();
        await Eventually.TrueAsync(() => node.Engines.Running.Count == 1, Timeout, "v1 running");
        var v1Engine = Assert.Single(node.Engines.Created);

        // Pause: engine stopped, row kept with status paused.
        _registry.Upsert(v1.Metadata with { Status = WorkflowStatus.Paused });
        await Eventually.TrueAsync(() => v1Engine.Stopped && v1Engine.Disposed, Timeout, "v1 stopped on pause");
        var paused = await Eventually.GetAsync(() => node.GetWorkflowAsync(client, v1.WorkflowId), w => w?.Status == WorkflowEngineStates.Paused, Timeout, "paused state");
        Assert.Equal(WorkflowSpec.PausedStatus, paused!.SpecStatus);
        Assert.Empty(node.EngineRegistry.WorkflowIds);

        // Re-activate, then update: a new id for the same owner/name/tag replaces the old engine and row.
        _registry.Upsert(v1.Metadata);
        await Eventually.TrueAsync(() => node.Engines.Running.Count == 1 && node.Engines.Created.Count == 2, Timeout, "v1 resumed");
        var v2 = TestWorkflow.Write(_basePath, "lifecycle", tag: "t", wasmText: "version 2");
        Assert.NotEqual(v1.WorkflowId, v2.WorkflowId);
        _registry.Upsert(v2.Metadata);
        await Eventually.TrueAsync(() => node.Engines.Running.Count == 1 && node.Engines.Running[0].Config.WorkflowId == v2.WorkflowId, Timeout, "v2 running");
        Assert.All(node.Engines.Created.Where(e => e.Config.WorkflowId == v1.WorkflowId), e => Assert.True(e.Stopped));
        var row = Assert.Single(await SpecsAsync());
        Assert.Equal(v2.WorkflowId, row.WorkflowId);
        Assert.Null(await node.GetWorkflowAsync(client, v1.WorkflowId));

        // Delete: gone from the list → engine stopped, rows removed.
        _registry.Remove(v2.Metadata.WorkflowId);
        await Eventually.TrueAsync(() => node.Engines.Running.Count == 0, Timeout, "v2 stopped on delete");
        await Eventually.GetAsync(SpecsAsync, rows => rows.Count == 0, Timeout, "spec row deleted");
        await Eventually.GetAsync(() => node.GetWorkflowAsync(client, v2.WorkflowId), w => w is null, Timeout, "state row deleted");
    }

    [Fact]
    public async Task After_a_restart_over_the_same_database_each_workflow_has_one_row_and_one_engine()
    {
        var workflows = new[]
        {
            TestWorkflow.Write(_basePath, "restart-a"),
            TestWorkflow.Write(_basePath, "restart-b", "{\"confidential\":true}"),
        };
        foreach (var workflow in workflows)
        {
            _registry.Upsert(workflow.Metadata);
        }

        var first = new NodeHarness(_db, _basePath, _registry);
        first.Start().Dispose();
        await Eventually.TrueAsync(() => first.Engines.Running.Count == 2, Timeout, "first node running both");
        await first.DisposeAsync();
        Assert.All(first.Engines.Created, e => Assert.True(e.Stopped && e.Disposed));

        await using var second = new NodeHarness(_db, _basePath, _registry);
        using var client = second.Start();
        await Eventually.TrueAsync(() => second.Engines.Running.Count == 2, Timeout, "second node running both");
        var readsAfterStart = _registry.Reads;
        await Eventually.TrueAsync(() => _registry.Reads >= readsAfterStart + 3, Timeout, "three more sync passes");

        Assert.Equal(2, second.Engines.Created.Count);
        Assert.Equal(workflows.Select(w => w.WorkflowId).Order(), second.EngineRegistry.WorkflowIds);
        var rows = await SpecsAsync();
        Assert.Equal(workflows.Select(w => w.WorkflowId).Order(), rows.Select(r => r.WorkflowId).Order());
        var listed = await client.GetFromJsonAsync<List<NodeWorkflowView>>("/workflows");
        Assert.Equal(2, listed!.Count);
    }

    [Fact]
    public async Task Workflow_id_mismatch_is_refused_permanently_with_the_reason_visible()
    {
        await using var node = new NodeHarness(_db, _basePath, _registry);
        var workflow = TestWorkflow.Write(_basePath, "mismatch");
        var registeredId = new byte[32];
        registeredId[31] = 7;
        _registry.Upsert(workflow.Metadata with { WorkflowId = registeredId });
        using var client = node.Start();
        var registeredHex = Convert.ToHexStringLower(registeredId);

        var api = await Eventually.GetAsync(() => node.GetWorkflowAsync(client, registeredHex), w => w?.Status == WorkflowEngineStates.Failed, Timeout, "refusal recorded");
        var reads = _registry.Reads;
        await Eventually.TrueAsync(() => _registry.Reads >= reads + 4, Timeout, "four more sync passes");

        Assert.Equal($"workflowID mismatch: {workflow.WorkflowId} != {registeredHex}", api!.LastError);
        Assert.True(api.Permanent);
        Assert.Equal(1, (await node.GetWorkflowAsync(client, registeredHex))!.FailureCount);
        Assert.Empty(node.Engines.Created);
        Assert.Empty(await SpecsAsync());

        // Still refused after a restart.
        await node.DisposeAsync();
        await using var restarted = new NodeHarness(_db, _basePath, _registry);
        using var client2 = restarted.Start();
        var readsAfterRestart = _registry.Reads;
        await Eventually.TrueAsync(() => _registry.Reads >= readsAfterRestart + 3, Timeout, "three sync passes after restart");
        Assert.Empty(restarted.Engines.Created);
        Assert.Equal(1, (await restarted.GetWorkflowAsync(client2, registeredHex))!.FailureCount);
    }

    [Fact]
    public async Task Fetch_and_engine_init_failures_back_off_and_recover()
    {
        await using var node = new NodeHarness(_db, _basePath, _registry);
        node.Engines.StartFailure = "trigger subscribe failed";
        var workflow = TestWorkflow.Write(_basePath, "flaky");
        var binaryPath = Path.Combine(_basePath, Path.GetFileName(new Uri(workflow.Metadata.BinaryUrl).AbsolutePath));
        File.Move(binaryPath, binaryPath + ".later");
        _registry.Upsert(workflow.Metadata);
        using var client = node.Start();

        var fetchFailed = await Eventually.GetAsync(() => node.GetWorkflowAsync(client, workflow.WorkflowId), w => w?.FailureCount >= 2, Timeout, "fetch retried");
        Assert.StartsWith("fetch error: artifact https://artifacts.example/", fetchFailed!.LastError, StringComparison.Ordinal);
        Assert.False(fetchFailed.Permanent);

        File.Move(binaryPath + ".later", binaryPath);
        var initFailed = await Eventually.GetAsync(() => node.GetWorkflowAsync(client, workflow.WorkflowId),
            w => w?.LastError?.StartsWith("engine initialization failed: trigger subscribe failed", StringComparison.Ordinal) == true, Timeout, "init failure recorded");
        Assert.Equal(WorkflowEngineStates.Failed, initFailed!.Status);
        Assert.All(node.Engines.Created, e => Assert.True(e.Disposed));

        node.Engines.StartFailure = null;
        var active = await Eventually.GetAsync(() => node.GetWorkflowAsync(client, workflow.WorkflowId), w => w?.Status == WorkflowEngineStates.Active, Timeout, "recovered");
        Assert.Null(active!.LastError);
        Assert.Single(node.Engines.Running);
    }

    [Fact]
    public async Task A_workflow_registered_paused_gets_a_pause_tombstone_and_no_engine()
    {
        await using var node = new NodeHarness(_db, _basePath, _registry);
        var workflow = TestWorkflow.Write(_basePath, "born-paused", status: WorkflowStatus.Paused);
        _registry.Upsert(workflow.Metadata);
        using var client = node.Start();

        var api = await Eventually.GetAsync(() => node.GetWorkflowAsync(client, workflow.WorkflowId), w => w?.Status == WorkflowEngineStates.Paused, Timeout, "paused");

        var row = Assert.Single(await SpecsAsync());
        Assert.Equal(("", WorkflowSpec.PausedStatus), (row.Workflow, row.Status));
        Assert.Equal(workflow.Metadata.Attributes, row.Attributes);
        Assert.Empty(node.Engines.Created);
        Assert.False(api!.EngineRunning);

        _registry.Upsert(workflow.Metadata with { Status = WorkflowStatus.Active });
        await Eventually.TrueAsync(() => node.Engines.Running.Count == 1, Timeout, "activated after unpause");
        Assert.Equal(Convert.ToHexStringLower(TestWorkflow.Brotli(workflow.Wasm)), Assert.Single(await SpecsAsync()).Workflow);
    }

    [Fact]
    public async Task Retryable_failures_stop_after_Syncer_MaxRetries()
    {
        await using var node = new NodeHarness(_db, _basePath, _registry) { Settings = new Dictionary<string, string> { ["Syncer:MaxRetries"] = "3" } };
        node.Engines.StartFailure = "no trigger capability";
        var workflow = TestWorkflow.Write(_basePath, "gives-up");
        _registry.Upsert(workflow.Metadata);
        using var client = node.Start();

        var api = await Eventually.GetAsync(() => node.GetWorkflowAsync(client, workflow.WorkflowId), w => w?.Permanent == true, Timeout, "given up");
        var reads = _registry.Reads;
        await Eventually.TrueAsync(() => _registry.Reads >= reads + 4, Timeout, "four more sync passes");

        Assert.Equal(3, api!.FailureCount);
        Assert.Equal("engine initialization failed: no trigger capability (gave up after 3 attempts, Syncer:MaxRetries)", api.LastError);
        Assert.Equal(3, node.Engines.Created.Count);
    }

    [Fact]
    public async Task Syncer_refuses_a_registry_whose_typeAndVersion_it_does_not_target_and_says_which_it_found()
    {
        _registry.TypeAndVersion = "WorkflowRegistry 1.0.0";
        var workflow = TestWorkflow.Write(_basePath, "never-read");
        _registry.Upsert(workflow.Metadata);
        await using var node = new NodeHarness(_db, _basePath, _registry);
        using var client = node.Start();

        var error = await Eventually.GetAsync(LastSyncErrorAsync, e => e is not null, Timeout, "sync error recorded");

        Assert.Equal(
            $"The contract at {_registry.Address} answers typeAndVersion() = 'WorkflowRegistry 1.0.0', but CreAspire targets 'WorkflowRegistry 2.0.0-dev' (@chainlink/contracts 1.5.0); " +
            "point Chain:WorkflowRegistry at a WorkflowRegistry 2.0.0-dev (the one the 'contracts' setup deploys), or move the pin in package.json and RegistryContracts together.",
            error);
        Assert.Empty(_registry.Calls);
        Assert.Empty(node.Engines.Running);
    }

    private async Task<string?> LastSyncErrorAsync()
    {
        await using var connection = new NpgsqlConnection(_db);
        return await connection.QuerySingleOrDefaultAsync<string?>("SELECT last_error FROM registry_sync_state WHERE don_family = 'zone-a'");
    }

    private async Task<List<StoredWorkflowSpec>> SpecsAsync()
    {
        await using var connection = new NpgsqlConnection(_db);
        var rows = await connection.QueryAsync<StoredWorkflowSpec>("""
            SELECT id AS Id, workflow_id AS WorkflowId, workflow_owner AS WorkflowOwner, workflow_name AS WorkflowName,
                   workflow_tag AS WorkflowTag, workflow AS Workflow, config AS Config, status AS Status, binary_url AS BinaryUrl,
                   config_url AS ConfigUrl, spec_type AS SpecType, attributes AS Attributes, created_at AS CreatedAt, updated_at AS UpdatedAt
            FROM workflow_specs_v2 ORDER BY id
            """);
        return rows.AsList();
    }
}
