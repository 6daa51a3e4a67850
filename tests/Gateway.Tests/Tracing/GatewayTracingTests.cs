using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using CreAspire.Gateway.Tests.Relay;
using CreAspire.Gateway.Tests.Support;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CreAspire.Protocol.Sdk;
using CreAspire.RelayNode.Relay;
using CreAspire.Telemetry.Testing;
using Google.Protobuf.WellKnownTypes;
using Xunit.Abstractions;

namespace CreAspire.Gateway.Tests.Tracing;

// A real gateway on loopback and 4 relay nodes (F=1) over real WebSockets: the trace context of a user request must reach
// every relay inside gateway.forward and come back inside each gateway.respond, and the relay's capability call must run
// in that trace. The collector listens before the connections open, as OpenTelemetry does from a service's start.
public sealed class GatewayTracingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly ActivitySource Tests = new("CreAspire.Tests.Gateway");
    private readonly ActivityCollector _collector = new();
    private readonly TestDon _don = new();
    private readonly ConcurrentQueue<(string Node, ActivityContext Context)> _capabilityContexts = new();
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private ConnectedRelays _relays = null!;
    private GatewayHost _gateway = null!;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayHost.StartAsync(_don);
        // Each relay's mock records the activity it is called in; "split" makes every relay answer differently (no quorum possible).
        _relays = await ConnectedRelays.StartAsync(_gateway, _don, i =>
        {
            var node = _don.Nodes[i].Address;
            return [new RecordingCapability(CapabilityIds.Mock, call =>
            {
                _capabilityContexts.Enqueue((node, Activity.Current?.Context ?? default));
                var input = call.Payload!.Unpack<StringValue>().Value;
                return new CapabilityResponse { Payload = Any.Pack(new StringValue { Value = input == "split" ? "answer of " + node : "mock:" + input }) };
            })];
        });
    }

    public async Task DisposeAsync()
    {
        await _relays.DisposeAsync();
        await _gateway.DisposeAsync();
        _http.Dispose();
        _collector.Dispose();
    }

    [Fact]
    public async Task A_user_request_context_reaches_every_relay_in_gateway_forward_and_every_vote_returns_in_gateway_respond()
    {
        var caller = await PostAsync(RelayRequests.Request("trace-1", RelayMethods.CapabilityExecute, RelayRequests.Attested(RelayRequests.CapabilityParams("hello"))));

        var spans = await _collector.WaitForTraceAsync(caller.TraceId,
            s => s.Count(x => x.Name == "gateway.respond") == 4 && s.Any(x => x.Name.StartsWith("gateway.relay", StringComparison.Ordinal)), "4 relay votes and the relay request");

        output.WriteLine(TraceTree.Render(spans));
        var tree = new TraceTree(spans);
        var relay = Assert.Single(tree.Named("gateway.relay"));
        Assert.Equal("gateway.relay confidential.capability.execute", relay.Name);
        Assert.Contains(tree.AncestorsOf(relay), s => s.SpanId == caller.SpanId.ToHexString());
        Assert.Equal("trace-1", relay.Attribute("rpc.request_id"));
        Assert.Equal(TestDon.DonId.ToString(System.Globalization.CultureInfo.InvariantCulture), relay.Attribute("don.id"));
        Assert.Equal("1", relay.Attribute("don.f"));
        Assert.Equal("3", relay.Attribute("quorum.required"));
        Assert.Equal("reached", relay.Attribute("quorum.outcome"));
        Assert.Equal("success", relay.Attribute("outcome"));

        // gateway → relays: each relay's gateway.forward span is a child of gateway.relay, one per relay node.
        var forwards = tree.Named("gateway.forward");
        Assert.Equal(4, forwards.Count);
        Assert.All(forwards, f => Assert.Equal(relay.SpanId, f.ParentSpanId));
        Assert.Equal(_don.Addresses.Order(), forwards.Select(f => f.Attribute("node.address")).Order());
        Assert.All(forwards, f => Assert.Equal("trace-1", f.Attribute("rpc.request_id")));

        // relays → gateway: each vote's gateway.respond span is a child of the forward span of the relay that sent it.
        var forwardOf = forwards.ToDictionary(f => f.SpanId, f => f.Attribute("node.address"));
        var responds = tree.Named("gateway.respond");
        Assert.All(responds, r => Assert.Equal(forwardOf[r.ParentSpanId!], r.Attribute("peer.address")));
        Assert.Equal(_don.Addresses.Order(), responds.Select(r => r.Attribute("peer.address")).Order());

        // relay.handle under each forward, with the execution named, and the attestation check under it.
        var handles = tree.Named("relay.handle confidential.capability.execute");
        Assert.Equal(4, handles.Count);
        Assert.All(handles, h => Assert.Contains(h.ParentSpanId!, forwardOf.Keys));
        Assert.All(handles, h => Assert.Equal("exec-1", h.Attribute("workflow.execution_id")));
        var verifications = tree.Named("relay.verify_attestation");
        Assert.Equal(4, verifications.Count);
        Assert.All(verifications, v => Assert.Equal("verified", v.Attribute("outcome")));
        Assert.All(verifications, v => Assert.Contains(v.ParentSpanId!, handles.Select(h => h.SpanId)));

        // relay → capability: every relay called its capability inside its relay.handle span.
        var calls = _capabilityContexts.ToArray();
        Assert.Equal(4, calls.Length);
        Assert.All(calls, c => Assert.Equal(caller.TraceId, c.Context.TraceId));
        Assert.All(calls, c => Assert.Contains(c.Context.SpanId.ToHexString(), handles.Select(h => h.SpanId)));
    }

    [Fact]
    public async Task A_refused_attestation_is_an_error_on_relay_verify_attestation_with_the_check_that_failed_and_is_counted()
    {
        using var meter = new MeterCollector(RelayTelemetry.Name);
        var tampered = RelayRequests.Attested(RelayRequests.CapabilityParams("hello")) with { CapabilityId = "other@1.0.0" };

        var caller = await PostAsync(RelayRequests.Request("trace-2", RelayMethods.CapabilityExecute, tampered));

        var spans = await _collector.WaitForTraceAsync(caller.TraceId, s => s.Count(x => x.Name == "relay.verify_attestation") == 4, "4 attestation checks");
        Assert.All(new TraceTree(spans).Named("relay.verify_attestation"), v =>
        {
            Assert.True(v.IsError);
            Assert.Equal("attestation rejected: user_data does not match the request", v.StatusMessage);
            Assert.Equal("rejected", v.Attribute("outcome"));
        });
        var handle = new TraceTree(spans).Named("relay.handle").First();
        Assert.True(handle.IsError);
        Assert.Contains(handle.Events, e => e.Name == "exception" && (string?)e.Attributes["exception.message"] == "attestation rejected: user_data does not match the request");
        await Eventually.TrueAsync(() => meter.Sum(RelayTelemetry.AttestationVerificationsInstrument, ("outcome", "rejected"), ("failure", "unknown")) >= 4, "4 rejected verifications counted");
    }

    [Fact]
    public async Task A_request_whose_quorum_becomes_unobtainable_fails_its_gateway_relay_span_with_the_reason()
    {

        var caller = await PostAsync(RelayRequests.Request("trace-3", RelayMethods.CapabilityExecute, RelayRequests.Attested(RelayRequests.CapabilityParams("split"))));

        var spans = await _collector.WaitForTraceAsync(caller.TraceId, s => s.Any(x => x.Name.StartsWith("gateway.relay", StringComparison.Ordinal)), "the relay request");
        var relay = Assert.Single(new TraceTree(spans).Named("gateway.relay"));
        Assert.True(relay.IsError);
        Assert.StartsWith("quorum unobtainable: requiredQuorum=3", relay.StatusMessage, StringComparison.Ordinal);
        Assert.Equal("failed", relay.Attribute("quorum.outcome"));
        Assert.Equal("quorum_unobtainable", relay.Attribute("outcome"));
    }

    /// <summary>Posts the request from inside a client span and returns that span's context (stopped, so it is collected).</summary>
    private async Task<ActivityContext> PostAsync(JsonRpcRequest request)
    {
        using var caller = Tests.StartActivity("test.caller", ActivityKind.Client)
            ?? throw new InvalidOperationException("the test's activity source has no listener; create the ActivityCollector first");
        using var response = await _http.PostAsJsonAsync(_gateway.BaseAddress, request, RelayJson.Options);
        await response.Content.ReadAsStringAsync();
        return caller.Context;
    }
}
