using CreAspire.Protocol.Sdk;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace CreAspire.Enclave.Tests;

/// <summary>
/// A confidential workflow's activation is its subscribe request, which the workflow nodes send through the enclave like
/// every execute request: the enclave fetches, hash-checks and compiles the binary then, so the first trigger finds it
/// ready and downloads nothing.
/// </summary>
public sealed class PrepareAtActivationTests : IAsyncLifetime
{
    private EnclaveHost _host = null!;

    public async Task InitializeAsync() => _host = await EnclaveHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Subscribe_at_activation_prepares_the_binary_and_the_first_trigger_does_not_fetch_it()
    {
        var subscribe = _host.Request("subscribe-exec");
        subscribe.Execution.ExecuteRequest = new ExecuteRequest { Config = ByteString.CopyFromUtf8(TestWorkflows.Echo), Subscribe = new Empty() }.ToByteString();
        await Task.WhenAll(EnclaveHost.WorkflowNodes[..2].Select(node => _host.ExecuteAsync(node, subscribe)));

        // From here a download fails (502): the trigger must run from what activation prepared.
        Assert.True(_host.Gateway.Artifacts.TryRemove("workflow.b64", out _));
        var trigger = _host.Request("first-trigger");
        var results = await Task.WhenAll(EnclaveHost.WorkflowNodes[..2].Select(node => _host.ExecuteAsync(node, trigger)));

        Assert.All(results, r => Assert.Equal("ran first-trigger", r.Value.StringValue));
    }
}
