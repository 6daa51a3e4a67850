using System.Net;
using System.Net.Http.Headers;
using CreAspire.Chain.Crypto;
using CreAspire.Don.Launcher;
using CreAspire.Don.Remote;
using CreAspire.Don.Tests.Infrastructure;
using CreAspire.Don.Transport;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using Google.Protobuf;
using Microsoft.Extensions.Logging;

namespace CreAspire.Don.Tests;

[Collection(PostgresCollection.Name)]
public sealed class TransportSecurityTests(PostgresFixture postgres) : IAsyncLifetime
{
    private static readonly NodeIdentity[] Workflow = TestTopology.Nodes("wf", 4);
    private static readonly NodeIdentity[] Capability = TestTopology.Nodes("cap", 4);
    private static readonly NodeIdentity Outsider = NodeIdentity.Derive("outsider", TestTopology.Seed);
    private DonNetwork _network = null!;
    private CapabilityNode _target = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _network = new DonNetwork(TestTopology.Snapshot(
            TestTopology.Don(1, "workflow", 1, Workflow, acceptsWorkflows: true),
            TestTopology.Don(3, "capability", 1, Capability, capabilities: [CapabilityIds.Mock, CapabilityIds.Vault])), [Capability[0]]);
        _target = await _network.StartCapabilityNodeAsync(Capability[0], await postgres.CreateDatabaseAsync("sec"));
        await _target.Get<CapabilityLauncher>().Ready.WaitAsync(TimeSpan.FromSeconds(10));
        _http = new HttpClient { BaseAddress = _target.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _network.DisposeAsync();
    }

    private static byte[] RequestBody(uint callerDon = 1) => DonJson.Serialize(new RemoteCapabilityRequest(
        callerDon, 3, CapabilityIds.Mock, CapabilityIds.ExecuteMethod, MockCalls.Call("sec").Payload!.ToByteArray(), MockCalls.Call("sec").Metadata));

    private static DonEnvelope Signed(EthKey signer, string claimedSender, byte[] body, long timestamp)
    {
        var id = Guid.NewGuid().ToString("N");
        var digest = DonEnvelope.SigningDigest(DonMessageKinds.CapabilityRequest, claimedSender, id, timestamp, body);
        return new DonEnvelope(DonMessageKinds.CapabilityRequest, claimedSender, id, timestamp, body, signer.SignPersonalMessage(digest));
    }

    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(DonEnvelope envelope, CancellationToken cancellationToken = default)
    {
        using var content = new ByteArrayContent(DonJson.Serialize(envelope));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await _http.PostAsync(DonTransportOptions.MessagesPath, content, cancellationToken);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Unsigned_message_is_rejected_and_logged()
    {
        var envelope = Signed(Workflow[0].Key, Workflow[0].Address, RequestBody(), Now) with { Signature = [] };

        var (status, body) = await PostAsync(envelope);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("unsigned", body, StringComparison.Ordinal);
        Assert.True(_network.Logs.Contains(LogLevel.Warning, $"Rejected DON message from {Workflow[0].Address} (id {envelope.MessageId}): message is unsigned"));
    }

    [Fact]
    public async Task Forged_message_signed_by_another_key_is_rejected_and_logged()
    {
        var envelope = Signed(Outsider.Key, Workflow[0].Address, RequestBody(), Now);

        var (status, body) = await PostAsync(envelope);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains($"forged message: signed by {Outsider.Address}", body, StringComparison.Ordinal);
        Assert.True(_network.Logs.Contains(LogLevel.Warning, $"forged message: signed by {Outsider.Address}, but claims sender {Workflow[0].Address}"));
    }

    [Fact]
    public async Task Tampered_body_is_rejected()
    {
        var envelope = Signed(Workflow[0].Key, Workflow[0].Address, RequestBody(), Now) with { Body = RequestBody(callerDon: 3) };

        var (status, _) = await PostAsync(envelope);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    [Fact]
    public async Task Stale_message_is_rejected_and_logged()
    {
        var envelope = Signed(Workflow[0].Key, Workflow[0].Address, RequestBody(), Now - 120_000);

        var (status, body) = await PostAsync(envelope);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("stale message", body, StringComparison.Ordinal);
        Assert.True(_network.Logs.Contains(LogLevel.Warning, "stale message"));
    }

    [Fact]
    public async Task Replayed_message_is_rejected()
    {
        var envelope = Signed(Workflow[0].Key, Workflow[0].Address, RequestBody(), Now);
        using var stopFirst = new CancellationTokenSource();
        var first = PostAsync(envelope, stopFirst.Token); // accepted, then waits for a second requester
        var server = _target.Get<RemoteCapabilityServer>();
        await Wait.UntilAsync(() => server.PendingCount == 1, TimeSpan.FromSeconds(10), "the first copy to be accepted");

        var (status, body) = await PostAsync(envelope);

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Contains("replayed message id", body, StringComparison.Ordinal);
        await stopFirst.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
    }

    [Fact]
    public async Task Message_from_a_non_member_of_the_claimed_DON_is_rejected_and_logged()
    {
        var envelope = Signed(Outsider.Key, Outsider.Address, RequestBody(), Now);

        var (status, body) = await PostAsync(envelope);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains($"sender {Outsider.Address} is not a member of DON 1", body, StringComparison.Ordinal);
        Assert.True(_network.Logs.Contains(LogLevel.Warning, $"sender {Outsider.Address} is not a member of DON 1"));
    }

    [Fact]
    public async Task Message_claiming_an_unknown_DON_is_rejected()
    {
        var envelope = Signed(Workflow[0].Key, Workflow[0].Address, RequestBody(callerDon: 42), Now);

        var (status, body) = await PostAsync(envelope);

        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Contains("calling DON 42 is not in the registry", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Body_that_is_not_an_envelope_is_a_bad_request()
    {
        using var content = new StringContent("{\"hello\":1}", System.Text.Encoding.UTF8, "application/json");
        using var response = await _http.PostAsync(DonTransportOptions.MessagesPath, content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}
