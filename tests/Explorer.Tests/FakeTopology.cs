using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using CreAspire.Attestation.Testing;
using CreAspire.Operations.Registry;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Mock;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Values;
using CreAspire.Protocol.Workflows;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace CreAspire.Explorer.Tests;

/// <summary>
/// The explorer's boundary, faked at the nodes' HTTP APIs over a real WorkflowRegistry: four workflow nodes that follow the
/// registry (poll it, run what is active, fire with the real API's status codes and bodies, record executions whose result is
/// a real ExecutionResult), four capability nodes that record what the executions called (mock@1.0.0 from F+1 nodes, vault
/// for confidential workflows), relay nodes, a gateway and an enclave identity. One Kestrel app, one port per node.
/// </summary>
public sealed class FakeTopology : IAsyncDisposable
{
    public const string Seed = NodeIdentity.DefaultSeed;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly WebApplication _app;
    private readonly IRegistryReader _registry;
    private readonly Dictionary<int, FakeNode> _byPort = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly FakeNitroIdentity _enclave = FakeNitroIdentity.Create();
    private Task _sync = Task.CompletedTask;
    private long _requestIds;

    private FakeTopology(IRegistryReader registry)
    {
        _registry = registry;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        foreach (var (name, role) in Names())
        {
            var node = new FakeNode(name, role, FreePort());
            _byPort[node.Port] = node;
        }

        builder.WebHost.UseUrls([.. _byPort.Keys.Select(p => $"http://127.0.0.1:{p}")]);
        _app = builder.Build();
        Map(_app);
    }

    public IEnumerable<FakeNode> Nodes => _byPort.Values;

    public IEnumerable<FakeNode> WorkflowNodes => Nodes.Where(n => n.Role == "workflow");

    public IEnumerable<FakeNode> CapabilityNodes => Nodes.Where(n => n.Role == "capability");

    /// <summary>The value of MOCK_SECRET in this fake vault; the explorer must never show it.</summary>
    public string SecretValue { get; } = "fake-secret-" + Guid.NewGuid().ToString("N")[..8];

    public static async Task<FakeTopology> StartAsync(IRegistryReader registry)
    {
        var topology = new FakeTopology(registry);
        await topology._app.StartAsync();
        topology._sync = Task.Run(topology.SyncLoopAsync);
        return topology;
    }

    /// <summary>Environment for the explorer process: Explorer__Nodes__&lt;name&gt;__Url / __Role.</summary>
    public IEnumerable<KeyValuePair<string, string>> ExplorerEnvironment() => Nodes.SelectMany(n => new[]
    {
        KeyValuePair.Create($"Explorer__Nodes__{n.Name}__Url", n.Url),
        KeyValuePair.Create($"Explorer__Nodes__{n.Name}__Role", n.Role),
    });

    public FakeNode Node(string name) => Nodes.Single(n => n.Name == name);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _sync;
        await _app.DisposeAsync();
        _enclave.Dispose();
        _stop.Dispose();
    }

    private static IEnumerable<(string Name, string Role)> Names() =>
        Enumerable.Range(0, 4).Select(i => ($"wf-{i}", "workflow"))
            .Concat(Enumerable.Range(0, 4).Select(i => ($"relay-{i}", "relay")))
            .Concat(Enumerable.Range(0, 4).Select(i => ($"cap-{i}", "capability")))
            .Append(("gateway", "gateway"))
            .Append(("enclave", "enclave"));

    /// <summary>Every workflow node follows the registry every 200 ms, as the real syncer does every 250 ms.</summary>
    private async Task SyncLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var listed = await _registry.ListWorkflowsAsync("zone-a", _stop.Token);
                foreach (var node in WorkflowNodes)
                {
                    node.Follow(listed, DateTimeOffset.UtcNow);
                }

                await Task.Delay(200, _stop.Token);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (RegistryOperationException)
            {
                // Anvil busy or gone: try again next round.
            }
        }
    }

    private void Map(WebApplication app)
    {
        FakeNode Self(HttpContext context) => _byPort[context.Connection.LocalPort];

        app.MapGet("/workflows", (HttpContext c) => Results.Json(Self(c).Views(), Json));
        app.MapGet("/workflows/{id}", (HttpContext c, string id) => Self(c).View(id) is { } view ? Results.Json(view, Json) : Results.Problem("not known", statusCode: 404));
        app.MapGet("/executions", (HttpContext c, string? workflow_id, int? limit) => Results.Json(Self(c).Executions(workflow_id, limit ?? 100), Json));
        app.MapPost("/workflows/{id}/fire", (HttpContext c, string id, DateTimeOffset scheduledTime) => Fire(Self(c), id, scheduledTime));
        app.MapGet("/don/v1/peers", (HttpContext c) =>
        {
            var node = Self(c);
            var sessions = node.Role == "capability" ? [] : CapabilityNodes.Select(p => new { peer = Address(p.Name), state = "open", reason = (string?)null }).ToArray();
            return Results.Json(new { node = node.Name, address = Address(node.Name), sessions }, Json);
        });
        app.MapGet("/requests", (HttpContext c) => Results.Json(Self(c).MockRequests.ToArray(), Json));
        app.MapGet("/vault/requests", (HttpContext c) => Results.Json(Self(c).VaultRequests.ToArray(), Json));
        app.MapGet("/nodes", () => Results.Json(new { connected = Nodes.Where(n => n.Role == "relay").Select(n => Address(n.Name)).ToArray() }, Json));
        app.MapGet("/identity", () => Results.Json(new { moduleId = _enclave.ModuleId, trustedPcrsJson = _enclave.TrustedPcrsJson, caRootsPem = _enclave.CaRootsPem }, Json));
    }

    private IResult Fire(FakeNode node, string workflowId, DateTimeOffset scheduled)
    {
        var view = node.View(workflowId);
        if (node.Refusing || view is null || !view.EngineRunning)
        {
            var reason = node.Refusing ? "activation-failed" : view is null ? "not-registered" : view.Status;
            return Results.Problem($"workflow {workflowId} is not active on this node ({reason})", statusCode: 404,
                extensions: new Dictionary<string, object?> { ["reason"] = reason });
        }

        var eventId = $"trigger_reg_{workflowId}_0@{scheduled.ToUniversalTime():yyyy-MM-dd'T'HH:mm:ss.fff'Z'}";
        var executionId = WorkflowIds.ExecutionId(workflowId, eventId);
        if (!node.TryStart(workflowId, executionId, eventId))
        {
            return Results.Problem($"execution {executionId} exists on this node already", statusCode: 409,
                extensions: new Dictionary<string, object?> { ["reason"] = "duplicate", ["executionId"] = executionId });
        }

        var confidential = view.Confidential == true;
        _ = Task.Run(async () =>
        {
            await Task.Delay(50);
            var input = new MockInput { Message = view.Name, Data = ByteString.CopyFrom(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(SecretValue))) };
            var output = new MockOutput { Message = input.Message, Data = input.Data, InputSha256 = ByteString.CopyFrom(SHA256.HashData(input.ToByteArray())) };
            var result = new ExecutionResult { Value = new Value { BytesValue = output.ToByteString() } };
            if (node.Name == "wf-0")
            {
                // The capability DON records the call once per capability node that executed it (F+1 = 2 here).
                foreach (var cap in CapabilityNodes.Take(2))
                {
                    var callerDon = confidential ? 2 : 1;
                    var callers = (confidential ? Nodes.Where(n => n.Role == "relay") : WorkflowNodes).Take(2).Select(n => Address(n.Name)).ToArray();
                    if (confidential)
                    {
                        cap.VaultRequests.Enqueue(new(Interlocked.Increment(ref _requestIds), "0x70997970c51812dc3a010c7d01b50e0d17dc79c8", "main", "MOCK_SECRET", "sealed", 1,
                            workflowId, executionId, callerDon, callers, DateTimeOffset.UtcNow));
                    }

                    cap.MockRequests.Enqueue(new(Interlocked.Increment(ref _requestIds), "mock@1.0.0", "Execute", workflowId, view.Owner, executionId, "", callerDon, callers,
                        Convert.ToHexStringLower(input.ToByteArray()), DateTimeOffset.UtcNow));
                }
            }

            node.Finish(executionId, Convert.ToBase64String(result.ToByteArray()), RandomNumberGenerator.GetHexString(32, lowercase: true));
        });
        return Results.Json(new { workflowId, triggerEventId = eventId, executionId, scheduledTime = scheduled, status = "started" }, Json, statusCode: 202);
    }

    private static string Address(string name) => NodeIdentity.Derive(name, Seed).Address;

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>One fake node: what it runs, what it recorded.</summary>
public sealed class FakeNode(string name, string role, int port)
{
    private readonly ConcurrentDictionary<string, FakeWorkflowView> _workflows = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FakeExecution> _executions = new(StringComparer.Ordinal);

    public string Name { get; } = name;

    public string Role { get; } = role;

    public int Port { get; } = port;

    public string Url => $"http://127.0.0.1:{Port}";

    /// <summary>While set, this workflow node reports every activation failed and refuses to fire.</summary>
    public bool Refusing { get; set; }

    public ConcurrentQueue<FakeMockRequest> MockRequests { get; } = new();

    public ConcurrentQueue<FakeVaultRequest> VaultRequests { get; } = new();

    internal void Follow(IReadOnlyList<RegistryWorkflow> listed, DateTimeOffset now)
    {
        foreach (var gone in _workflows.Keys.Except(listed.Select(w => w.WorkflowId)).ToArray())
        {
            _workflows.TryRemove(gone, out _);
        }

        foreach (var w in listed)
        {
            var confidential = w.Attributes.Length > 0 && System.Text.Encoding.UTF8.GetString(w.Attributes).Contains("\"confidential\":true", StringComparison.Ordinal);
            var status = Refusing ? "failed" : w.Status == RegistryWorkflowStatus.Active ? "active" : "paused";
            _workflows.AddOrUpdate(w.WorkflowId,
                _ => View(w, status, confidential, now),
                (_, old) => old.Status == status ? old : View(w, status, confidential, now));
        }
    }

    private FakeWorkflowView View(RegistryWorkflow w, string status, bool confidential, DateTimeOffset since) => new(
        w.WorkflowId, w.Name, w.Owner[2..], w.Tag, w.DonFamily, status, confidential,
        Refusing ? "fetch error: the fake node refuses" : null, Refusing ? 1 : 0, false, status == "active", status, w.BinaryUrl, w.ConfigUrl,
        System.Text.Encoding.UTF8.GetString(w.Attributes), since, since, status == "active" ? (confidential ? "confidential" : "wasm") : null);

    internal IReadOnlyList<FakeWorkflowView> Views() => _workflows.Values.OrderBy(v => v.Name, StringComparer.Ordinal).ToArray();

    internal FakeWorkflowView? View(string id) => _workflows.GetValueOrDefault(id);

    internal bool TryStart(string workflowId, string executionId, string eventId) =>
        _executions.TryAdd(executionId, new FakeExecution(executionId, workflowId, $"trigger_reg_{workflowId}_0", eventId, "started", DateTimeOffset.UtcNow, null, null, null, null));

    internal void Finish(string executionId, string result, string traceId) =>
        _executions.AddOrUpdate(executionId, _ => throw new InvalidOperationException("never started"),
            (_, e) => e with { Status = "succeeded", FinishedAt = DateTimeOffset.UtcNow, Result = result, TraceId = traceId });

    internal IReadOnlyList<FakeExecution> Executions(string? workflowId, int limit) =>
        _executions.Values.Where(e => workflowId is null || e.WorkflowId == workflowId).OrderByDescending(e => e.StartedAt).Take(limit).ToArray();
}

/// <summary>GET /workflows row, shaped like the workflow node's.</summary>
public sealed record FakeWorkflowView(
    string Id, string Name, string Owner, string Tag, string DonFamily, string Status, bool? Confidential, string? LastError, int FailureCount,
    bool Permanent, bool EngineRunning, string? SpecStatus, string? BinaryUrl, string? ConfigUrl, string? Attributes, DateTimeOffset Updated,
    DateTimeOffset? StateSince, string? Engine);

/// <summary>GET /executions row, shaped like the workflow node's.</summary>
public sealed record FakeExecution(
    string ExecutionId, string WorkflowId, string TriggerId, string TriggerEventId, string Status, DateTimeOffset StartedAt, DateTimeOffset? FinishedAt,
    string? Result, string? Error, string? TraceId);

/// <summary>GET /requests row, shaped like the capability node's.</summary>
public sealed record FakeMockRequest(
    long Id, string CapabilityId, string Method, string WorkflowId, string WorkflowOwner, string ExecutionId, string ReferenceId, long CallerDonId,
    string[] CallerNodes, string PayloadHex, DateTimeOffset ReceivedAt);

/// <summary>GET /vault/requests row, shaped like the capability node's.</summary>
public sealed record FakeVaultRequest(
    long Id, string Owner, string Namespace, string Key, string Outcome, int EncryptionKeys, string WorkflowId, string ExecutionId, long CallerDonId,
    string[] CallerNodes, DateTimeOffset ReceivedAt);
