using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CreAspire.Gateway.Tests.Relay;
using CreAspire.Gateway.Tests.Support;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CreAspire.Protocol.Sdk;
using CreAspire.RelayNode.Connector;
using CreAspire.RelayNode.Relay;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CreAspire.Gateway.Tests.Gateway;

// A real gateway on loopback and 4 relay nodes (F=1) connected through real GatewayConnectors over WebSockets.
public sealed class GatewayEndToEndTests : IAsyncLifetime
{
    private readonly TestDon _don = new();
    private readonly List<RecordingCapability> _mocks = [];
    private ConnectedRelays _relays = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayHost.StartAsync(_don);
        var connectors = new List<GatewayConnector>();
        for (var i = 0; i < _don.Nodes.Count; i++)
        {
            var registry = new CapabilityRegistry();
            // relay-3 is faulty: its mock capability answers differently; 3 honest nodes still agree.
            var mock = i == 3
                ? new RecordingCapability(CapabilityIds.Mock, _ => new CapabilityResponse { Payload = Any.Pack(new StringValue { Value = "lies" }) })
                : RecordingCapability.Mock();
            _mocks.Add(mock);
            registry.AddOrReplace(mock);
            registry.AddOrReplace(RecordingCapability.Vault());
            var handler = new RelayRequestHandler(registry, new TestAttestation(), Options.Create(new RelayOptions { DonId = TestDon.DonId }), NullLogger<RelayRequestHandler>.Instance);
            connectors.Add(GatewayHandshakeTests.NewConnector(_don.Nodes[i], _gateway.BaseAddress, handler));
        }

        _relays = await ConnectedRelays.StartAsync(_gateway, connectors);
    }

    public async Task DisposeAsync()
    {
        await _relays.DisposeAsync();
        await _gateway.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task Capability_execute_through_gateway_and_relay_DON_returns_the_agreed_capability_response()
    {
        var (status, response) = await PostAsync(RelayRequests.Request("e2e-1", RelayMethods.CapabilityExecute, RelayRequests.Attested(RelayRequests.CapabilityParams("hello"))));

        Assert.Equal(HttpStatusCode.OK, status);
        var result = response.Result!.Value.Deserialize<CapabilityResponseResult>(RelayJson.Options)!;
        Assert.Equal("mock:hello", CapabilityResponse.Parser.ParseFrom(Convert.FromBase64String(result.Payload!)).Payload.Unpack<StringValue>().Value);
        await Eventually.TrueAsync(() => _mocks.Take(3).All(m => m.Calls.Count == 1), "every honest relay called the capability once");
    }

    [Fact]
    public async Task Nodes_endpoint_lists_the_addresses_of_the_connected_relay_nodes()
    {
        var listed = await _http.GetFromJsonAsync<JsonElement>(new Uri(_gateway.BaseAddress, "nodes"));

        Assert.Equal(_don.Nodes.Select(n => n.Address).Order(StringComparer.Ordinal), listed.GetProperty("connected").EnumerateArray().Select(a => a.GetString()));
    }

    [Fact]
    public async Task Secrets_get_through_gateway_returns_ciphertexts()
    {
        var (status, response) = await PostAsync(RelayRequests.Request("e2e-2", RelayMethods.SecretsGet, RelayRequests.Attested(RelayRequests.SecretsParams("API_KEY"))));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("API_KEY", response.Result!.Value.GetProperty("secrets")[0].GetProperty("id").GetProperty("key").GetString());
    }

    [Fact]
    public async Task A_tampered_request_is_refused_by_every_relay_and_the_refusal_is_returned()
    {
        var tampered = RelayRequests.Attested(RelayRequests.CapabilityParams("hello")) with { CapabilityId = "other@1.0.0" };

        var (status, response) = await PostAsync(RelayRequests.Request("e2e-3", RelayMethods.CapabilityExecute, tampered));

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("attestation rejected: user_data does not match the request", response.Error!.Message);
        Assert.All(_mocks, m => Assert.Empty(m.Calls));
    }

    [Theory]
    [InlineData("{not json", HttpStatusCode.BadRequest, JsonRpcErrorCodes.Parse)]
    [InlineData("""{"jsonrpc":"2.0","id":"","method":"confidential.secrets.get"}""", HttpStatusCode.BadRequest, JsonRpcErrorCodes.InvalidRequest)]
    [InlineData("""{"jsonrpc":"2.0","id":"x","method":"vault.secrets.get"}""", HttpStatusCode.BadRequest, JsonRpcErrorCodes.InvalidRequest)]
    [InlineData("""{"jsonrpc":"2.0","id":"x","method":"confidential.unknown"}""", HttpStatusCode.BadRequest, JsonRpcErrorCodes.MethodNotFound)]
    public async Task User_endpoint_maps_bad_requests_to_codes_and_statuses(string body, HttpStatusCode status, int code)
    {
        using var response = await _http.PostAsync(_gateway.BaseAddress, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(status, response.StatusCode);
        Assert.Equal(code, (await response.Content.ReadFromJsonAsync<JsonRpcResponse>(RelayJson.Options))!.Error!.Code);
    }

    [Fact]
    public async Task User_endpoint_names_an_unknown_service_and_refuses_oversized_bodies_and_long_ids()
    {
        var (_, unknown) = await PostAsync(new JsonRpcRequest { Id = "1", Method = "vault.secrets.get" });
        var (longStatus, longId) = await PostAsync(new JsonRpcRequest { Id = new string('a', 201), Method = RelayMethods.SecretsGet });
        using var big = await _http.PostAsync(_gateway.BaseAddress, new StringContent(new string(' ', 100_001), Encoding.UTF8, "application/json"));

        Assert.Equal("Service name not found: vault", unknown.Error!.Message);
        Assert.Equal(HttpStatusCode.BadRequest, longStatus);
        Assert.Equal(JsonRpcErrorCodes.InvalidRequest, longId.Error!.Code);
        Assert.Equal(HttpStatusCode.BadRequest, big.StatusCode);
        Assert.Contains("100000-byte limit", (await big.Content.ReadFromJsonAsync<JsonRpcResponse>(RelayJson.Options))!.Error!.Message, StringComparison.Ordinal);
    }

    private async Task<(HttpStatusCode Status, JsonRpcResponse Response)> PostAsync(JsonRpcRequest request)
    {
        using var response = await _http.PostAsJsonAsync(_gateway.BaseAddress, request, RelayJson.Options);
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonRpcResponse>(RelayJson.Options))!);
    }
}
