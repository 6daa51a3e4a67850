using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Text;
using CreAspire.Don.Launcher;
using CreAspire.Don.Tests.Infrastructure;
using CreAspire.Don.Transport;
using CreAspire.Fuzzing;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace CreAspire.Don.Tests;

/// <summary>
/// A capability node (mock@1.0.0, its own Postgres database) against mutated bytes on the wire: hellos (each answered
/// with a refusal saying why, never a silent close or a session) and records inside correctly authenticated frames
/// (answered, or the session closed as malformed; never a hang). Afterwards the node still serves a real caller and has
/// logged no handler failure.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class DonSessionFuzzTests(PostgresFixture postgres, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly NodeIdentity[] Workflow = TestTopology.Nodes("wf", 4);
    private static readonly NodeIdentity[] Capability = TestTopology.Nodes("cap", 1);
    private DonNetwork _network = null!;
    private CapabilityNode _target = null!;

    public async Task InitializeAsync()
    {
        _network = new DonNetwork(TestTopology.Snapshot(
            TestTopology.Don(1, "workflow", 1, Workflow, acceptsWorkflows: true),
            TestTopology.Don(3, "capability", 0, Capability, capabilities: [CapabilityIds.Mock])), Capability);
        _target = await _network.StartCapabilityNodeAsync(Capability[0], await postgres.CreateDatabaseAsync("fuzz"));
        await _target.Get<CapabilityLauncher>().Ready.WaitAsync(TimeSpan.FromSeconds(10));
    }

    public async Task DisposeAsync() => await _network.DisposeAsync();

    [Fact]
    public async Task Mutated_hellos_on_the_wire_are_refused_with_a_reason()
    {
        var (hello, ephemeral) = RawDonClient.Hello(Workflow[0].Key, Workflow[0].Address, Capability[0].Address, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        ephemeral.Dispose();
        var valid = Encoding.UTF8.GetString(DonHandshake.Serialize(hello));
        var inputs = JsonMutations.Systematic(valid).Where((_, i) => i % 2 == 0).Concat(JsonMutations.Random(valid, 150, seed: 1837))
            .Concat(Mutations.Noise(40, 300, seed: 1838)).Append(new Mutant("hello of 5000 bytes", new byte[5000]));

        var tally = await FuzzTally.RunAsync("don: hellos on the wire", inputs, async input =>
        {
            var (socket, welcome) = await RawDonClient.SendHelloAsync(_target.BaseUrl, input.Bytes);
            using (socket)
            {
                if (welcome is null)
                {
                    return FuzzResult.Wrong("the node closed without saying why");
                }

                var parsed = DonHandshake.ParseWelcome(welcome);
                return parsed?.Error is { } error ? FuzzResult.Refused(error.Split(':', ' ')[0], error)
                    : parsed?.Signature is not null ? FuzzResult.Wrong("a mutated hello opened a session")
                    : FuzzResult.Wrong($"answer is neither a refusal nor a welcome: {Encoding.UTF8.GetString(welcome)}");
            }
        }, concurrency: 8);

        tally.Report(output).AssertClean();
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Mutated_records_in_authenticated_frames_are_answered_or_close_the_session()
    {
        var body = RemoteCapabilityRequestFuzzTests.Body("frame-fuzz");
        var record = RawDonClient.Record(1, 1, body);
        var inputs = Mutations.BitFlips(record[..15])
            .Concat(new[] { -1, 0, 1, body.Length - 1, body.Length + 1, int.MaxValue, 1 << 21 }.Select(length => new Mutant($"length {length}", WithLength(record, length))))
            .Concat(new byte[] { 0, 2, 3, 255 }.Select(type => new Mutant($"record type {type}", [type, .. record[1..]])))
            .Concat(Mutations.Truncations(record).Where((_, i) => i % 25 == 0))
            .Append(new Mutant("empty frame", []))
            .Append(new Mutant("two records", [.. record, .. RawDonClient.Record(1, 2, body)]))
            .Append(new Mutant("a record and garbage", [.. record, 1, 2, 3]))
            .Concat(JsonMutations.Random(Encoding.UTF8.GetString(body), 60, seed: 1839).Select(m => m with { Bytes = RawDonClient.Record(1, 1, m.Bytes) }))
            .Concat(Mutations.Noise(40, 200, seed: 1840));

        var tally = await FuzzTally.RunAsync("don: records in authenticated frames", inputs, async input =>
        {
            var (socket, keys) = await RawDonClient.OpenAsync(_target.BaseUrl, Workflow[0], Capability[0].Address);
            using (socket)
            using (var send = new DonFrameCodec(keys.Send))
            using (var receive = new DonFrameCodec(keys.Receive))
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                try
                {
                    await socket.SendAsync(RawDonClient.Seal(send, input.Bytes), WebSocketMessageType.Binary, true, timeout.Token);
                    // A probe the node answers at once (400): its answer proves the session survived the mutant.
                    await socket.SendAsync(RawDonClient.Seal(send, RawDonClient.Record(1, 999, "{\"hello\":1}"u8.ToArray())), WebSocketMessageType.Binary, true, timeout.Token);
                }
                catch (WebSocketException)
                {
                    return FuzzResult.Refused("session closed", "closed by the node before the probe");
                }

                return await AwaitProbeAsync(socket, receive, timeout.Token);
            }
        }, concurrency: 4);

        tally.Report(output).AssertClean();
        await AssertStillServingAsync();
        Assert.DoesNotContain(_network.Logs.Entries, e => e.Level >= LogLevel.Error);
    }

    /// <summary>Reads frames until the probe's answer (the session lives on) or the close (the node refused the mutant).</summary>
    private static async Task<FuzzResult> AwaitProbeAsync(ClientWebSocket socket, DonFrameCodec receive, CancellationToken timeout)
    {
        var buffer = new byte[1 << 16];
        try
        {
            while (true)
            {
                var length = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), timeout);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return FuzzResult.Refused("session closed", result.CloseStatusDescription ?? "closed");
                    }

                    length += result.Count;
                }
                while (!result.EndOfMessage);

                if (!receive.Open(buffer.AsSpan(0, length)))
                {
                    return FuzzResult.Wrong("the node sent a frame that does not authenticate");
                }

                for (var payload = buffer.AsMemory(0, length - DonFrameCodec.TagLength); payload.Length >= 15;)
                {
                    var id = BinaryPrimitives.ReadUInt64BigEndian(payload.Span[1..]);
                    var size = BinaryPrimitives.ReadInt32BigEndian(payload.Span[11..]);
                    if (id == 999)
                    {
                        return FuzzResult.Refused("answered, session alive", "probe answered");
                    }

                    payload = payload[(15 + size)..];
                }
            }
        }
        catch (WebSocketException)
        {
            return FuzzResult.Refused("session closed", "aborted by the node");
        }
        catch (OperationCanceledException)
        {
            return FuzzResult.Wrong("neither an answer nor a close within 20 s");
        }
    }

    private static byte[] WithLength(byte[] record, int length)
    {
        var copy = (byte[])record.Clone();
        BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(11), length);
        return copy;
    }

    private async Task AssertStillServingAsync()
    {
        var callers = await Task.WhenAll(Workflow[..2].Select(_network.StartCallerNodeAsync));
        var responses = await MockCalls.FromAllAsync(callers, () => MockCalls.Call("after-fuzz", workflowDonId: 1));
        Assert.All(responses, r => Assert.Equal("hello", MockCalls.Output(r).Message));
    }
}
