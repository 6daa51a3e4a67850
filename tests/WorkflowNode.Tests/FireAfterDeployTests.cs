using System.Net.Http.Json;
using System.Security.Cryptography;
using CreAspire.Chain.Deployment;
using CreAspire.Chain.Testing;
using CreAspire.Operations.Actions;
using CreAspire.Operations.Nodes;
using CreAspire.Operations.Registry;
using CreAspire.Operations.Samples;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Mock;
using CreAspire.Protocol.Sdk;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace CreAspire.WorkflowNode.Tests;

/// <summary>
/// Four real workflow nodes (store, syncer, real WASM engines, real cron trigger) against a real WorkflowRegistry on Anvil:
/// firing a workflow at once after its registration receipt — before any node has polled the registry — must start the
/// execution on every node, every time (issue 17: 1-3 nodes used to answer 404 "no trigger subscription").
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class FireAfterDeployTests(PostgresFixture postgres, Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const int NodeCount = 4;
    private const int Tries = 20;
    private const string Yearly = "0 0 0 1 1 *"; // executions here come from fire-now only
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly string _artifacts = Directory.CreateTempSubdirectory("creaspire-fire-artifacts-").FullName;
    private readonly List<NodeHarness> _nodes = [];
    private readonly List<HttpClient> _clients = [];
    private AnvilProcess? _anvil;
    private ChainRegistry? _registry;
    private WorkflowActions _actions = null!;

    public async Task InitializeAsync()
    {
        _anvil = await AnvilProcess.StartAsync(CancellationToken.None);
        var deployed = await RegistryDeployer.DeployAsync(_anvil.RpcUrl, TopologySpec.CreateDefault(), CancellationToken.None);
        _registry = new ChainRegistry(new ChainRegistryOptions(_anvil.RpcUrl, deployed.WorkflowRegistry, deployed.CapabilitiesRegistry));
        var clients = new List<WorkflowNodeClient>();
        for (var i = 0; i < NodeCount; i++)
        {
            var node = new NodeHarness(await postgres.CreateDatabaseAsync(), _artifacts, new FakeRegistryReader())
            {
                WithRealRegistryBinding = true,
                WithRealExecution = true,
                Settings = new Dictionary<string, string>
                {
                    ["Node:Name"] = $"wf-{i}",
                    ["ConnectionStrings:chain"] = _anvil.RpcUrl,
                    ["Chain:WorkflowRegistry"] = deployed.WorkflowRegistry,
                    ["Chain:CapabilitiesRegistry"] = deployed.CapabilitiesRegistry,
                    ["Chain:ChainId"] = deployed.ChainId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                },
            };
            node.Capabilities.AddOrReplace(new EchoMockCapability());
            _nodes.Add(node);
            var client = node.Start();
            _clients.Add(client);
            clients.Add(new WorkflowNodeClient($"wf-{i}", client));
        }

        _actions = new WorkflowActions(_registry, _registry, clients, new SampleCatalog(), new ArtifactPublisher(_artifacts, new Uri("http://artifacts.invalid/")),
            new ActionOptions { NodeTimeout = Timeout });
    }

    public async Task DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        foreach (var node in _nodes)
        {
            await node.DisposeAsync();
        }

        if (_anvil is not null)
        {
            await _anvil.DisposeAsync();
        }

        Directory.Delete(_artifacts, recursive: true);
    }

    [Fact]
    public async Task Firing_at_once_after_the_registration_receipt_starts_the_execution_on_every_node_20_of_20()
    {
        var failures = new List<string>();
        var fired = new List<FireOutcome>();
        for (var attempt = 0; attempt < Tries; attempt++)
        {
            var registered = await _actions.RegisterAsync(new DeployRequest("hello-cron", $"fire-at-once-{attempt}", Confidential: false, Yearly), CancellationToken.None);
            var outcome = await _actions.FireAsync(registered.WorkflowId, CancellationToken.None);
            fired.Add(outcome);
            failures.AddRange(outcome.Nodes.Where(n => !n.Fired).Select(n => $"try {attempt}: {n.Node} {n.Status}: {n.Detail}"));
        }

        Assert.True(failures.Count == 0, $"{fired.Count(f => f.FiredEverywhere)} of {Tries} tries fired on every node:\n{string.Join("\n", failures)}");
        await AssertSucceededEverywhereAsync(fired);
    }

    [Fact]
    public async Task Deploy_returns_once_every_node_runs_the_workflow_and_fire_then_starts_it_everywhere_20_of_20()
    {
        var failures = new List<string>();
        var fired = new List<FireOutcome>();
        for (var attempt = 0; attempt < Tries; attempt++)
        {
            var deployed = await _actions.DeployAsync(new DeployRequest("hello-cron", $"deploy-then-fire-{attempt}", Confidential: false, Yearly), CancellationToken.None);
            failures.AddRange(deployed.Nodes.Where(n => !n.Done).Select(n => $"try {attempt}: deploy: {n.Node} {n.State}: {n.Detail}"));
            var outcome = await _actions.FireAsync(deployed.WorkflowId, CancellationToken.None);
            fired.Add(outcome);
            failures.AddRange(outcome.Nodes.Where(n => !n.Fired).Select(n => $"try {attempt}: fire: {n.Node} {n.Status}: {n.Detail}"));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        await AssertSucceededEverywhereAsync(fired);
        var view = await _actions.Nodes[0].GetWorkflowAsync(fired[0].WorkflowId, CancellationToken.None);
        Assert.Equal(("active", "wasm"), (view!.Status, view.Engine));
        Assert.NotNull(view.StateSince);
    }

    [Fact]
    public async Task Peers_endpoint_names_the_node_and_its_signer_address()
    {
        var peers = await _clients[2].GetFromJsonAsync<System.Text.Json.JsonElement>("don/v1/peers");

        Assert.Equal("wf-2", peers.GetProperty("node").GetString());
        Assert.Equal(CreAspire.Protocol.Identity.NodeIdentity.Derive("wf-2").Address, peers.GetProperty("address").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Array, peers.GetProperty("sessions").ValueKind);
    }

    [Fact]
    public async Task Firing_a_workflow_that_is_not_registered_says_so_on_every_node_after_a_fresh_registry_read()
    {
        var outcome = await _actions.FireAsync(new string('a', 64), CancellationToken.None);

        Assert.All(outcome.Nodes, n =>
        {
            Assert.Equal(NodeFireStatus.NotActive, n.Status);
            Assert.Equal("not-registered", n.Reason);
            Assert.Contains("is not in the WorkflowRegistry for DON family zone-a", n.Detail, StringComparison.Ordinal);
        });
        Assert.False(outcome.FiredEverywhere);
    }

    [Fact]
    public async Task Firing_twice_for_one_scheduled_time_reports_the_second_as_a_duplicate()
    {
        var deployed = await _actions.DeployAsync(new DeployRequest("hello-cron", "fired-twice", Confidential: false, Yearly), CancellationToken.None);
        var scheduled = new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var node = _actions.Nodes[0];

        var first = await node.FireAsync(deployed.WorkflowId, scheduled, CancellationToken.None);
        var second = await node.FireAsync(deployed.WorkflowId, scheduled, CancellationToken.None);

        Assert.Equal(NodeFireStatus.Started, first.Status);
        Assert.Equal(NodeFireStatus.Duplicate, second.Status);
        Assert.Equal(first.ExecutionId, second.ExecutionId);
        Assert.Contains("exists on this node already", second.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Pausing_and_deleting_are_followed_by_every_node_and_firing_a_paused_workflow_names_the_reason()
    {
        var deployed = await _actions.DeployAsync(new DeployRequest("hello-cron", "paused-then-deleted", Confidential: false, Yearly), CancellationToken.None);

        var paused = await _actions.PauseAsync(deployed.WorkflowId, CancellationToken.None);
        Assert.True(paused.DoneEverywhere, string.Join("; ", paused.Nodes.Select(n => $"{n.Node}: {n.State} {n.Detail}")));
        var fire = await _actions.FireAsync(deployed.WorkflowId, CancellationToken.None);
        Assert.All(fire.Nodes, n => Assert.Equal("paused", n.Reason));

        var activated = await _actions.ActivateAsync(deployed.WorkflowId, CancellationToken.None);
        Assert.True(activated.DoneEverywhere, string.Join("; ", activated.Nodes.Select(n => $"{n.Node}: {n.State} {n.Detail}")));
        Assert.True((await _actions.FireAsync(deployed.WorkflowId, CancellationToken.None)).FiredEverywhere);

        var deleted = await _actions.DeleteAsync(deployed.WorkflowId, CancellationToken.None);
        Assert.True(deleted.DoneEverywhere, string.Join("; ", deleted.Nodes.Select(n => $"{n.Node}: {n.State} {n.Detail}")));
        Assert.Null(await _registry!.FindWorkflowAsync(deployed.WorkflowId, CancellationToken.None));
    }

    private async Task AssertSucceededEverywhereAsync(IReadOnlyList<FireOutcome> fired)
    {
        foreach (var outcome in fired)
        {
            Assert.Single(outcome.Nodes.Select(n => n.ExecutionId).Distinct());
            foreach (var node in _actions.Nodes)
            {
                var execution = await Eventually.GetAsync(
                    async () => (await node.ListExecutionsAsync(outcome.WorkflowId, 10, CancellationToken.None)).FirstOrDefault(e => e.ExecutionId == outcome.ExecutionId),
                    e => e is not null && e.Status != "started", Timeout, $"execution {outcome.ExecutionId} finished on {node.Name}");
                Assert.True(execution!.Status == "succeeded", $"{node.Name}: {execution.Status} {execution.Error}");
            }
        }

        output.WriteLine($"{fired.Count} executions succeeded on all {NodeCount} nodes");
    }

    /// <summary>mock@1.0.0 answered in process, as the real one answers: MockOutput{message, data, sha256(input)}.</summary>
    private sealed class EchoMockCapability : IExecutableCapability
    {
        public string Id => CapabilityIds.Mock;

        public Task<CapabilityResponse> ExecuteAsync(CapabilityCall call, CancellationToken cancellationToken)
        {
            var input = MockInput.Parser.ParseFrom(call.Payload!.Value);
            var output = new MockOutput { Message = input.Message, Data = input.Data, InputSha256 = ByteString.CopyFrom(SHA256.HashData(call.Payload.Value.Span)) };
            return Task.FromResult(new CapabilityResponse { Payload = Any.Pack(output) });
        }
    }
}
