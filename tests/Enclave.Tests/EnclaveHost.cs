using System.Net.Http.Json;
using CreAspire.Attestation.Testing;
using CreAspire.Chain.Identity;
using CreAspire.Enclave.Apis;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Confidential;
using CreAspire.Protocol.Enclave;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Topology;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace CreAspire.Enclave.Tests;

/// <summary>
/// The enclave (in-memory server) with a test gateway on loopback, a fake NSM identity on disk and a fixed topology:
/// workflow DON 1 of four nodes with F=1 (F+1 = 2), and DON 2 (capabilities, not a workflow DON) with one node.
/// </summary>
public sealed class EnclaveHost : IAsyncDisposable
{
    public static readonly TimeSpan QuorumTimeout = TimeSpan.FromSeconds(2);

    private readonly WebApplicationFactory<Program> _factory;
    private readonly string _identityDirectory;

    private EnclaveHost(WebApplicationFactory<Program> factory, TestGateway gateway, FakeNitroIdentity identity, string identityDirectory)
    {
        _factory = factory;
        Gateway = gateway;
        Identity = identity;
        _identityDirectory = identityDirectory;
    }

    public static NodeKeys[] WorkflowNodes { get; } = Enumerable.Range(0, 4).Select(i => NodeKeys.Derive("enclave-tests", $"wf-{i}")).ToArray();

    public static NodeKeys CapabilityNode { get; } = NodeKeys.Derive("enclave-tests", "cap-0");

    public TestGateway Gateway { get; }

    public FakeNitroIdentity Identity { get; }

    public TestModuleFactory Modules { get; } = new();

    /// <param name="kestrel">Serve on a loopback port (real HTTP, so HttpClient's traceparent reaches the enclave) instead of in memory.</param>
    /// <param name="maxQueuedExecutions">Runs waiting for a slot before the enclave answers 429 (Enclave:MaxQueuedExecutions).</param>
    /// <param name="prepareGateway">Runs on the test gateway before the enclave starts.</param>
    /// <param name="settings">More configuration (e.g. Enclave:PathProbe), applied after the defaults.</param>
    public static async Task<EnclaveHost> StartAsync(int maxConcurrentExecutions = 4, bool kestrel = false, int maxQueuedExecutions = 256, IReadOnlyDictionary<string, string>? settings = null, Action<TestGateway>? prepareGateway = null)
    {
        var identityDirectory = Directory.CreateTempSubdirectory("enclave-identity-").FullName;
        var identity = FakeNitroIdentity.Create("i-enclave-tests-enc0");
        identity.SaveTo(identityDirectory);
        var gateway = await TestGateway.StartAsync(identity.CaRootsPem, identity.TrustedPcrsJson);
        gateway.Artifacts["workflow.b64"] = TestWorkflows.Artifact;
        gateway.Artifacts["other.b64"] = "AGFzbQEAAAA="u8.ToArray();
        prepareGateway?.Invoke(gateway);

        var topology = new RegistrySnapshot(
            [
                new DonInfo(1, "workflow", 1, ["workflow"], true, true, WorkflowNodes.Select(k => k.Address).ToArray(), []),
                new DonInfo(2, "capabilities", 0, ["workflow"], true, false, [CapabilityNode.Address], []),
            ],
            [],
            []);

        EnclaveHost? host = null;
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseSetting("Enclave:IdentityDirectory", identityDirectory);
            // Program registers the chain-backed topology; these tests replace it with a static one, but its options
            // are validated at start, so give them well-formed values.
            web.UseSetting("ConnectionStrings:chain", "http://127.0.0.1:9");
            web.UseSetting("Chain:CapabilitiesRegistry", "0x0000000000000000000000000000000000000001");
            web.UseSetting("Enclave:GatewayUrl", gateway.BaseUrl.ToString());
            web.UseSetting("Enclave:QuorumTimeout", QuorumTimeout.ToString());
            web.UseSetting("Enclave:MaxConcurrentExecutions", maxConcurrentExecutions.ToString(System.Globalization.CultureInfo.InvariantCulture));
            web.UseSetting("Enclave:MaxQueuedExecutions", maxQueuedExecutions.ToString(System.Globalization.CultureInfo.InvariantCulture));
            foreach (var (key, value) in settings ?? new Dictionary<string, string>())
            {
                web.UseSetting(key, value);
            }

            web.ConfigureLogging(logging => logging.ClearProviders());
            web.ConfigureTestServices(services =>
            {
                services.AddSingleton<ITopologySource>(new StaticTopologySource(topology));
                services.AddSingleton<IWorkflowModuleFactory>(_ => host!.Modules);
            });
        });
        host = new EnclaveHost(factory, gateway, identity, identityDirectory);
        if (kestrel)
        {
            factory.UseKestrel(0);
            factory.StartServer();
        }
        else
        {
            _ = factory.Server;
        }

        return host;
    }

    /// <summary>The workflow node's capability, signing with <paramref name="nodeKey"/>, posting to this enclave.</summary>
    public ConfidentialWorkflowsCapability CapabilityFor(NodeKeys nodeKey) =>
        new(_factory.CreateClient(), nodeKey.SigningKey, new ConfidentialWorkflowsOptions { Timeout = TimeSpan.FromSeconds(30) });

    public HttpClient CreateClient() => _factory.CreateClient();

    public T Get<T>() where T : notnull => _factory.Services.GetRequiredService<T>();

    public async Task<ExecutionsResponse> ExecutionsAsync() =>
        (await _factory.CreateClient().GetFromJsonAsync<ExecutionsResponse>("/executions"))!;

    /// <summary>Runs the capability for one node and decodes the ExecutionResult.</summary>
    public async Task<ExecutionResult> ExecuteAsync(NodeKeys nodeKey, ConfidentialWorkflowRequest request)
    {
        var call = new CapabilityCall(CapabilityIds.ConfidentialWorkflows, CapabilityIds.ExecuteMethod, Any.Pack(request),
            new CapabilityRequestMetadata { WorkflowId = request.Execution.WorkflowId, WorkflowExecutionId = request.Execution.ExecutionId });
        var response = await CapabilityFor(nodeKey).ExecuteAsync(call, CancellationToken.None);
        Assert.Equal(CapabilityResponse.ResponseOneofCase.Payload, response.ResponseCase);
        return ExecutionResult.Parser.ParseFrom(response.Payload.Unpack<ConfidentialWorkflowResponse>().ExecutionResult);
    }

    public ConfidentialWorkflowRequest Request(string executionId, string config = TestWorkflows.Echo, string artifact = "workflow.b64", byte[]? binaryHash = null) => new()
    {
        Execution = new WorkflowExecution
        {
            WorkflowId = "00a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f",
            BinaryUrl = Gateway.ArtifactUrl(artifact),
            BinaryHash = ByteString.CopyFrom(binaryHash ?? TestWorkflows.ArtifactHash),
            ExecuteRequest = new ExecuteRequest { Config = ByteString.CopyFromUtf8(config), Trigger = new Trigger { Id = 0 } }.ToByteString(),
            Owner = "F39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
            ExecutionId = executionId,
        },
    };

    public async ValueTask DisposeAsync()
    {
        Modules.Gate.TrySetResult();
        await _factory.DisposeAsync();
        await Gateway.DisposeAsync();
        Identity.Dispose();
        Directory.Delete(_identityDirectory, recursive: true);
    }
}
