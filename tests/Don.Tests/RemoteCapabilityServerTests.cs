using System.Text;
using CreAspire.Don.Transport;

namespace CreAspire.Don.Tests;

/// <summary>The capability server against bodies found by RemoteCapabilityRequestFuzzTests (F+1 = 2 copies from workflow DON 1).</summary>
public sealed class RemoteCapabilityServerTests
{
    /// <summary>The payload failed to decode only in the run after quorum: unobserved, the group never completed and both requesters got 504 after the quorum timeout.</summary>
    [Fact]
    public async Task A_payload_that_is_not_a_protobuf_Any_is_a_bad_request_at_once()
    {
        using var server = RemoteCapabilityRequestFuzzTests.NewServer();
        var body = RemoteCapabilityRequestFuzzTests.Body("bad-payload", payload: [0xFF, 0xFF, 0xFF]);

        var replies = await Task.WhenAll(TestNodes().Select(node => server.HandleAsync(node, body, default, CancellationToken.None))).WaitAsync(TimeSpan.FromSeconds(1));

        Assert.All(replies, reply =>
        {
            Assert.Equal(400, reply.StatusCode);
            Assert.StartsWith("capability request payload is not a serialized google.protobuf.Any: ", reply.BodyText, StringComparison.Ordinal);
        });
    }

    /// <summary>A null payload threw NullReferenceException in the run, with the same result.</summary>
    [Fact]
    public async Task A_null_payload_is_an_empty_input_and_is_answered()
    {
        using var server = RemoteCapabilityRequestFuzzTests.NewServer();
        var body = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(RemoteCapabilityRequestFuzzTests.Body("null-payload")).Replace("\"payload\":\"", "\"payload\":null,\"x\":\"", StringComparison.Ordinal));

        var replies = await Task.WhenAll(TestNodes().Select(node => server.HandleAsync(node, body, default, CancellationToken.None))).WaitAsync(TimeSpan.FromSeconds(1));

        Assert.All(replies, reply => Assert.Equal(200, reply.StatusCode));
        Assert.Equal("mock expects a StringValue", Protocol.Sdk.CapabilityResponse.Parser.ParseFrom(DonJson.DeserializeResponse(replies[0].Body)!.Response).Error);
    }

    /// <summary>The refusal quoted the serializer ("could not be converted to CreAspire.Don.Remote.RemoteCapabilityRequest").</summary>
    [Theory]
    [InlineData("[1]", "malformed capability request body: $ has the wrong type (")]
    [InlineData("{\"callerDonId\":-1}", "malformed capability request body: $.callerDonId has the wrong type (")]
    [InlineData("{\"callerDonId\":", "malformed capability request body: it is not JSON (")]
    public async Task A_body_that_does_not_parse_is_refused_naming_the_member_not_a_type(string body, string message)
    {
        using var server = RemoteCapabilityRequestFuzzTests.NewServer();

        var reply = await server.HandleAsync(TestNodes()[0], Encoding.UTF8.GetBytes(body), default, CancellationToken.None);

        Assert.Equal(400, reply.StatusCode);
        Assert.StartsWith(message, reply.BodyText, StringComparison.Ordinal);
        Assert.DoesNotContain("CreAspire.", reply.BodyText, StringComparison.Ordinal);
    }

    private static string[] TestNodes() => [.. Infrastructure.TestTopology.Nodes("wf", 2).Select(n => n.Address)];
}
