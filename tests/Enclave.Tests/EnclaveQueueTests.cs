using System.Net;
using System.Net.Http.Json;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Enclave;
using CreAspire.Protocol.JsonRpc;
using Google.Protobuf;

namespace CreAspire.Enclave.Tests;

/// <summary>
/// One execution slot and a queue of one: a run that reaches its quorum while the slot is taken waits for it (its nodes'
/// requests stay open, no 429, no retry); a run that finds the queue full too is refused with 429.
/// </summary>
public sealed class EnclaveQueueTests : IAsyncLifetime
{
    private EnclaveHost _host = null!;

    public async Task InitializeAsync() => _host = await EnclaveHost.StartAsync(maxConcurrentExecutions: 1, maxQueuedExecutions: 1);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Run_reaching_quorum_while_the_slot_is_taken_waits_for_it_and_the_next_one_is_refused()
    {
        var blocking = _host.Request("exec-blocking", config: TestWorkflows.Blocks);
        var running = Task.WhenAll(EnclaveHost.WorkflowNodes[..2].Select(node => _host.ExecuteAsync(node, blocking)));
        await WaitUntilAsync(async () => (await _host.ExecutionsAsync()).Count == 1);

        // Quorum for the second request: it takes the one place in the queue and its requests stay open.
        var queuedRequest = _host.Request("exec-queued");
        var queued = Task.WhenAll(EnclaveHost.WorkflowNodes[..2].Select(node => PostAsync(node, "exec-queued", queuedRequest)));

        var quorum = _host.Get<CreAspire.Enclave.Quorum.ComputeRequestQuorum>();
        await WaitUntilAsync(() => Task.FromResult(quorum.QueuedCount == 1));

        // A third quorum finds the slot and the queue full: 429 for its nodes.
        var thirdRequest = _host.Request("exec-third");
        var third = await Task.WhenAll(EnclaveHost.WorkflowNodes[2..].Select(node => PostAsync(node, "exec-third", thirdRequest)));
        Assert.All(third, r =>
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode);
            Assert.Contains("enclave at capacity", r.Body, StringComparison.Ordinal);
        });
        Assert.False(queued.IsCompleted);

        _host.Modules.Gate.SetResult();
        Assert.All(await running, r => Assert.Equal("ran exec-blocking", r.Value.StringValue));
        Assert.All(await queued.WaitAsync(TimeSpan.FromSeconds(30)), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Contains((await _host.ExecutionsAsync()).Recent, e => e.ExecutionId == "exec-queued" && e.Status == "succeeded");
    }

    private async Task<(HttpStatusCode StatusCode, string Body)> PostAsync(CreAspire.Chain.Identity.NodeKeys node, string executionId, CreAspire.Protocol.Confidential.ConfidentialWorkflowRequest request)
    {
        var signed = ComputeRequestSigning.Sign(node.SigningKey, CapabilityIds.ConfidentialWorkflows, executionId, request.ToByteArray());
        using var response = await _host.CreateClient().PostAsJsonAsync(ConfidentialWorkflowsCapability.RequestsPath, signed, RelayJson.Options);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!await condition())
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), deadline.Token);
        }
    }
}
