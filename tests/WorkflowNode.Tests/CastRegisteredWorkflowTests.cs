using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using CreAspire.Chain.Contracts;
using CreAspire.Chain.Deployment;
using CreAspire.Chain.Testing;
using CreAspire.Execution.Artifacts;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Mock;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Workflows;
using CreAspire.WorkflowNode.Apis;
using CreAspire.WorkflowNode.Store;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace CreAspire.WorkflowNode.Tests;

/// <summary>
/// The contract is the public interface, end to end on one node: Chainlink's WorkflowRegistry on a real Anvil, a workflow
/// registered with Foundry's cast from nothing but the ABI JSON that @chainlink/contracts publishes, and a real workflow
/// node (Postgres store, the real WorkflowRegistry binding, the WASM host and engines) that activates it and runs it.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class CastRegisteredWorkflowTests(PostgresFixture postgres, Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _basePath = Directory.CreateTempSubdirectory("creaspire-wfnode-cast-").FullName;
    private readonly CancellationTokenSource _cancellation = new(TimeSpan.FromMinutes(3));
    private AnvilProcess? _anvil;
    private string _db = "";

    public async Task InitializeAsync()
    {
        _db = await postgres.CreateDatabaseAsync();
        _anvil = await AnvilProcess.StartAsync(_cancellation.Token);
    }

    public async Task DisposeAsync()
    {
        if (_anvil is not null)
        {
            await _anvil.DisposeAsync();
        }

        _cancellation.Dispose();
        Directory.Delete(_basePath, recursive: true);
    }

    [Fact]
    public async Task A_workflow_registered_by_cast_from_the_published_ABI_is_activated_by_the_syncer_and_runs()
    {
        var ct = _cancellation.Token;
        var anvil = _anvil!;
        var deployed = await RegistryDeployer.DeployAsync(anvil.RpcUrl, TopologySpec.CreateDefault(), ct);

        // The artifacts as cre-cli writes them (base64 of brotli-compressed WASM) and the workflow id it computes.
        var wasm = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "workflows", "hello-cron.wasm"), ct);
        var artifact = WorkflowArtifact.Pack(wasm);
        var config = Encoding.UTF8.GetBytes("0 0 0 1 1 *"); // once a year: only the fire-now below runs it
        await File.WriteAllBytesAsync(Path.Combine(_basePath, "hello-cron.wasm.b64"), artifact, ct);
        await File.WriteAllBytesAsync(Path.Combine(_basePath, "hello-cron.config"), config, ct);
        var workflowId = WorkflowIds.Compute(Convert.FromHexString(deployed.WorkflowOwner[2..]), "cast-hello", WorkflowArtifact.DecodeBase64(artifact), config);
        var id = Convert.ToHexStringLower(workflowId);

        await Cast.RunAsync(
        [
            "send", "--rpc-url", anvil.RpcUrl, "--private-key", DevAccounts.WorkflowOwnerPrivateKey, deployed.WorkflowRegistry,
            Cast.Signature("WorkflowRegistry", "upsertWorkflow"),
            "cast-hello", "v1", "0x" + id, "0", TopologySpec.DefaultFamily,
            "http://127.0.0.1:9/artifacts/hello-cron.wasm.b64", "http://127.0.0.1:9/artifacts/hello-cron.config", "0x", "true",
        ], ct);

        var mock = new RecordingMock();
        await using var node = new NodeHarness(_db, _basePath, new FakeRegistryReader())
        {
            WithRealRegistryBinding = true,
            WithRealExecution = true,
            Settings = new Dictionary<string, string>
            {
                ["ConnectionStrings:chain"] = anvil.RpcUrl,
                ["Chain:WorkflowRegistry"] = deployed.WorkflowRegistry,
                ["Chain:CapabilitiesRegistry"] = deployed.CapabilitiesRegistry,
                ["Chain:ChainId"] = deployed.ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        node.Capabilities.AddOrReplace(mock);
        using var client = node.Start();

        var active = await Eventually.GetAsync(() => node.GetWorkflowAsync(client, id), w => w is { Status: WorkflowEngineStates.Active, EngineRunning: true } || w?.LastError is not null,
            Timeout, "the syncer activating the cast-registered workflow");
        Assert.True(active!.LastError is null, $"activation failed: {active.LastError}");
        Assert.Equal(deployed.WorkflowOwner[2..], active.Owner);
        Assert.Equal("cast-hello", active.Name);

        var scheduled = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using (var fired = await client.PostAsync($"/workflows/{id}/fire?scheduledTime={Uri.EscapeDataString(scheduled.ToString("O"))}", null, ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, fired.StatusCode);
        }

        var execution = await Eventually.GetAsync(
            async () => (await client.GetFromJsonAsync<List<NodeExecution>>($"/executions?workflow_id={id}", ct))!.FirstOrDefault(),
            e => e is not null && e.Status != "started", Timeout, "the execution finishing");
        output.WriteLine($"execution {execution!.ExecutionId}: {execution.Status} {execution.Error}");

        Assert.Equal("succeeded", execution.Status);
        Assert.Null(execution.Error);
        var call = Assert.Single(mock.Calls);
        Assert.Equal(id, call.Metadata.WorkflowId);
        var input = call.Payload!.Unpack<MockInput>();
        Assert.Equal("hello-cron", input.Message);
        var result = ExecutionResult.Parser.ParseFrom(Convert.FromBase64String(execution.Result!));
        Assert.Equal("hello-cron", MockOutput.Parser.ParseFrom(result.Value.BytesValue).Message);
    }

    /// <summary>mock@1.0.0 answered in process (the capability DON's answer shape); records every call.</summary>
    private sealed class RecordingMock : IExecutableCapability
    {
        public ConcurrentQueue<CapabilityCall> Calls { get; } = new();

        public string Id => CapabilityIds.Mock;

        public Task<CapabilityResponse> ExecuteAsync(CapabilityCall call, CancellationToken cancellationToken)
        {
            Calls.Enqueue(call);
            var input = call.Payload!.Unpack<MockInput>();
            return Task.FromResult(new CapabilityResponse
            {
                Payload = Any.Pack(new MockOutput { Message = input.Message, Data = input.Data, InputSha256 = ByteString.CopyFrom(SHA256.HashData(input.ToByteArray())) }),
            });
        }
    }
}
