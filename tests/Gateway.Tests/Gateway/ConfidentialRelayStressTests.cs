using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using CreAspire.Gateway.Relay;
using CreAspire.Gateway.Tests.Support;
using CreAspire.Protocol.JsonRpc;

namespace CreAspire.Gateway.Tests.Gateway;

public sealed class ConfidentialRelayStressTests
{
    [Fact]
    public async Task Two_thousand_concurrent_requests_with_a_faulty_node_each_complete_exactly_once_with_the_right_answer()
    {
        // N=4, F=1 ⇒ 2F+1=3: per request one random node is faulty (wrong answer, silent, or answers twice with garbage),
        // every node answers after a random delay, so node responses, quorum decisions and completions interleave freely.
        const int requests = 2_000;
        var don = new TestDon();
        var connections = new FakeNodeConnections();
        using var handler = ConfidentialRelayHandlerTests.NewHandler(don, connections, TimeProvider.System);
        var faulty = new ConcurrentDictionary<string, (int Node, int Kind)>();
        var nodeErrors = new ConcurrentQueue<Exception>();
        var deliveries = new ConcurrentBag<Task>();
        connections.OnSend = (node, request) => deliveries.Add(Task.Run(async () =>
        {
            try
            {
                await Task.Delay(Random.Shared.Next(0, 5));
                var (faultyNode, kind) = faulty[request.Id];
                var isFaulty = don.Addresses[faultyNode] == node;
                if (isFaulty && kind == 0)
                {
                    return; // silent
                }

                var payload = isFaulty ? "forged-" + request.Id : "ok-" + request.Id;
                handler.HandleNodeMessage(ConfidentialRelayHandlerTests.Answer(request, payload), node);
                if (isFaulty && kind == 2)
                {
                    handler.HandleNodeMessage(ConfidentialRelayHandlerTests.Answer(request, "again"), node);
                }
            }
            catch (Exception ex)
            {
                nodeErrors.Enqueue(ex);
            }
        }));

        var completions = new ConcurrentDictionary<string, int>();
        long completedMetric = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == GatewayTelemetry.Name && instrument.Name == GatewayTelemetry.RequestsCompletedInstrument)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref completedMetric, value));
        listener.Start();

        var ids = Enumerable.Range(0, requests).Select(i => $"stress-{i}").ToArray();
        foreach (var id in ids)
        {
            faulty[id] = (Random.Shared.Next(4), Random.Shared.Next(3));
        }

        var results = await Task.WhenAll(ids.Select(id => Task.Run(async () =>
        {
            var response = await handler.HandleUserRequestAsync(ConfidentialRelayHandlerTests.Request(id), CancellationToken.None);
            completions.AddOrUpdate(id, 1, (_, n) => n + 1);
            return (id, response);
        }))).WaitAsync(TimeSpan.FromSeconds(60));
        await Task.WhenAll(deliveries).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(nodeErrors);
        Assert.All(results, r =>
        {
            Assert.Null(r.response.Response.Error);
            Assert.Equal("ok-" + r.id, r.response.Response.Result!.Value.GetProperty("payload").GetString());
            Assert.Equal(r.id, r.response.Response.Id);
        });
        Assert.Equal(requests, completions.Count);
        Assert.All(completions.Values, n => Assert.Equal(1, n));
        Assert.Equal(requests, Interlocked.Read(ref completedMetric));
        Assert.Equal(0, handler.ActiveRequestCount);
    }
}
