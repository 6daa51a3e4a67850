using System.Text;
using CreAspire.Don.Remote;
using CreAspire.Don.Tests.Infrastructure;
using CreAspire.Don.Transport;
using CreAspire.Fuzzing;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Topology;
using Google.Protobuf;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace CreAspire.Don.Tests;

/// <summary>
/// Remote capability request bodies (what a calling DON's members send over an authenticated session), mutated and
/// sent by F+1 = 2 members of workflow DON 1 (N=4, F=1) to a capability server: each body is answered with a status
/// and a message (200 with the capability's answer, 4xx naming what is wrong); two identical copies from a quorum must
/// never wait out the quorum timeout; afterwards a valid request still runs.
/// </summary>
public sealed class RemoteCapabilityRequestFuzzTests(ITestOutputHelper output)
{
    private static readonly NodeIdentity[] Workflow = TestTopology.Nodes("wf", 4);
    private static readonly NodeIdentity Server = NodeIdentity.Derive("cap-0", TestTopology.Seed);
    private static readonly TimeSpan QuorumTimeout = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task Mutated_request_bodies_from_a_quorum_are_answered_with_a_status_and_never_left_waiting()
    {
        using var server = NewServer();
        var valid = Encoding.UTF8.GetString(Body("fuzz"));
        var inputs = JsonMutations.Systematic(valid).Concat(JsonMutations.Random(valid, 1200, seed: 1834))
            .Concat(Mutations.Random(Encoding.UTF8.GetBytes(valid), 300, seed: 1835)).Concat(Mutations.Noise(200, 300, seed: 1836));

        var tally = await FuzzTally.RunAsync("don: remote capability request bodies", inputs, async input =>
        {
            var started = DateTimeOffset.UtcNow;
            DonReply[] replies;
            try
            {
                replies = await Task.WhenAll(Workflow[..2].Select(node => server.HandleAsync(node.Address, input.Bytes, default, CancellationToken.None)));
            }
#pragma warning disable CA1031 // HandleAsync promises never to throw for bad input
            catch (Exception ex)
#pragma warning restore CA1031
            {
                return FuzzResult.Escaped(ex);
            }

            if (replies[0].StatusCode == 504 && DateTimeOffset.UtcNow - started >= QuorumTimeout)
            {
                return FuzzResult.Wrong($"F+1 identical copies waited out the quorum timeout: {replies[0].BodyText}");
            }

            return replies[0].StatusCode == replies[1].StatusCode
                ? FuzzResult.Refused($"{replies[0].StatusCode}", replies[0].IsSuccess ? "answered" : replies[0].BodyText)
                : FuzzResult.Wrong($"the two requesters got {replies[0].StatusCode} and {replies[1].StatusCode}");
        }, concurrency: 16);

        tally.Report(output).AssertClean();
        var after = await Task.WhenAll(Workflow[..2].Select(node => server.HandleAsync(node.Address, Body("after-fuzz"), default, CancellationToken.None)));
        Assert.All(after, reply => Assert.Equal(200, reply.StatusCode));
        Assert.Equal("echo:after-fuzz", Answer(after[0]));
    }

    internal static byte[] Body(string executionId, byte[]? payload = null) => DonJson.Serialize(new RemoteCapabilityRequest(
        1, 3, CapabilityIds.Mock, CapabilityIds.ExecuteMethod, payload ?? Google.Protobuf.WellKnownTypes.Any.Pack(new Google.Protobuf.WellKnownTypes.StringValue { Value = executionId }).ToByteArray(),
        new CapabilityRequestMetadata { WorkflowId = "00aa", WorkflowExecutionId = executionId, ReferenceId = "1" }));

    private static string Answer(DonReply reply)
    {
        var response = DonJson.DeserializeResponse(reply.Body)!;
        return CapabilityResponse.Parser.ParseFrom(response.Response).Payload.Unpack<Google.Protobuf.WellKnownTypes.StringValue>().Value;
    }

    internal static RemoteCapabilityServer NewServer()
    {
        var topology = new StaticTopologySource(TestTopology.Snapshot(
            TestTopology.Don(1, "workflow", 1, Workflow, acceptsWorkflows: true),
            TestTopology.Don(3, "capability", 0, [Server], capabilities: [CapabilityIds.Mock])));
        var options = Options.Create(new RemoteCapabilityOptions { QuorumTimeout = QuorumTimeout, SweepInterval = TimeSpan.FromMilliseconds(100), ExecutionTimeout = TimeSpan.FromSeconds(5) });
        var server = new RemoteCapabilityServer(Server, topology, TimeProvider.System, options, NullLogger<RemoteCapabilityServer>.Instance);
        server.Serve([new ServedCapability(new EchoCapability(), 3, new HashSet<uint> { 1 })]);
        return server;
    }

    /// <summary>Answers "echo:" + the StringValue it was given (or a capability error for any other input).</summary>
    private sealed class EchoCapability : IExecutableCapability
    {
        public string Id => CapabilityIds.Mock;

        public Task<CapabilityResponse> ExecuteAsync(CapabilityCall call, CancellationToken cancellationToken) =>
            Task.FromResult(call.Payload is { } payload && payload.TryUnpack<Google.Protobuf.WellKnownTypes.StringValue>(out var text)
                ? new CapabilityResponse { Payload = Google.Protobuf.WellKnownTypes.Any.Pack(new Google.Protobuf.WellKnownTypes.StringValue { Value = "echo:" + text.Value }) }
                : new CapabilityResponse { Error = "mock expects a StringValue" });
    }
}
