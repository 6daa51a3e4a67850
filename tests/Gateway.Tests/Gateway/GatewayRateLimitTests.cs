using System.Net;
using System.Net.Http.Json;
using CreAspire.Gateway.Tests.Relay;
using CreAspire.Gateway.Tests.Support;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;

namespace CreAspire.Gateway.Tests.Gateway;

// A real gateway on loopback with deliberately low node rate limits, and 4 honest relay nodes connected through real
// GatewayConnectors over WebSockets. Regression: the limits used to apply to the nodes' answers themselves; every node
// answers at the request rate, so past the limit all four nodes' answers were dropped together and every request in
// flight could only expire (the bench's "request with no answer within 30 s").
public sealed class GatewayRateLimitTests : IAsyncLifetime
{
    private const int PerNodeRate = 10;
    private const int Requests = 120;

    private readonly TestDon _don = new();
    private ConnectedRelays _relays = null!;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(40) };
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayHost.StartAsync(_don, new Dictionary<string, string?>
        {
            ["Gateway:ConfidentialRelay:PerNodeRatePerSecond"] = PerNodeRate.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Gateway:ConfidentialRelay:GlobalRatePerSecond"] = (4 * PerNodeRate).ToString(System.Globalization.CultureInfo.InvariantCulture),
            // Expiry is what a dropped answer turns into, so it only has to come before the test's own HTTP timeout: 120
            // requests take 0.5-3 s on a loaded 2-core machine, and a 5 s expiry left too little room for a busier one.
            ["Gateway:ConfidentialRelay:RequestTimeout"] = "00:00:20",
            ["Gateway:UserRequestTimeout"] = "00:00:25",
        });
        _relays = await ConnectedRelays.StartAsync(_gateway, _don, _ => [RecordingCapability.Mock()]);
    }

    public async Task DisposeAsync()
    {
        await _relays.DisposeAsync();
        await _gateway.DisposeAsync();
        _http.Dispose();
    }

    [Fact]
    public async Task Every_request_is_answered_when_relay_answers_exceed_the_node_rate_limits()
    {
        var parameters = RelayRequests.Attested(RelayRequests.CapabilityParams("over the limit"));

        // 120 requests at once: 480 node answers within well under a second against 10 per node per second.
        var outcomes = await Task.WhenAll(Enumerable.Range(0, Requests).Select(async i =>
        {
            using var response = await _http.PostAsJsonAsync(_gateway.BaseAddress, RelayRequests.Request($"rl-{i}", RelayMethods.CapabilityExecute, parameters), RelayJson.Options);
            var body = await response.Content.ReadFromJsonAsync<JsonRpcResponse>(RelayJson.Options);
            return response.StatusCode == HttpStatusCode.OK ? "ok" : $"HTTP {(int)response.StatusCode}: {body?.Error?.Message}";
        }));

        Assert.All(outcomes, outcome => Assert.Equal("ok", outcome));
        Assert.Equal(0, _gateway.RelayHandler.ActiveRequestCount);
    }
}
