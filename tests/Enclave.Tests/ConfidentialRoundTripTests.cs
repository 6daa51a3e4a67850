using Google.Protobuf;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Capabilities;
using System.Net.Http.Json;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using CreAspire.Protocol.Enclave;
using Google.Protobuf.WellKnownTypes;

namespace CreAspire.Enclave.Tests;

/// <summary>get_secrets and call_capability leave the enclave only through the (test) gateway, attested.</summary>
public sealed class ConfidentialRoundTripTests : IAsyncLifetime
{
    private EnclaveHost _host = null!;

    // One slot and no queue, so a second run finds the enclave at capacity (EnclaveQueueTests covers the queue).
    public async Task InitializeAsync() => _host = await EnclaveHost.StartAsync(maxConcurrentExecutions: 1, maxQueuedExecutions: 0);

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Secret_sealed_by_the_vault_reaches_the_module_decrypted_and_the_capability_call_is_attested()
    {
        _host.Gateway.Secrets["MOCK_SECRET"] = "s3cret-from-vault";
        var request = _host.Request("exec-roundtrip", config: TestWorkflows.SecretsAndCapability);

        var results = await Task.WhenAll(EnclaveHost.WorkflowNodes[..2].Select(node => _host.ExecuteAsync(node, request)));

        var digest = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("s3cret-from-vault")));
        Assert.All(results, r => Assert.Equal($"mock saw {digest}", r.Value.StringValue));
        Assert.Empty(_host.Gateway.RejectedAttestations);

        var secretsCall = Assert.Single(_host.Gateway.SecretCalls);
        Assert.Equal("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266", secretsCall.Owner);
        Assert.Equal("exec-roundtrip", secretsCall.ExecutionId);
        Assert.Equal(("MOCK_SECRET", "main"), (secretsCall.Secrets[0].Key, secretsCall.Secrets[0].Namespace));

        var (parameters, capabilityRequest) = Assert.Single(_host.Gateway.CapabilityCalls);
        Assert.Equal(TestWorkflows.MockCapability, parameters.CapabilityId);
        Assert.Equal("7", parameters.ReferenceId);
        Assert.Equal("exec-roundtrip", parameters.ExecutionId);
        Assert.Equal(digest, capabilityRequest.Payload.Unpack<StringValue>().Value);
    }

    [Fact]
    public async Task Capability_error_from_the_relay_reaches_the_module_as_a_capability_response_error()
    {
        var request = _host.Request("exec-cap-error", config: TestWorkflows.CallsFailingCapability);

        var results = await Task.WhenAll(EnclaveHost.WorkflowNodes[..2].Select(node => _host.ExecuteAsync(node, request)));

        Assert.All(results, r => Assert.Equal("mock capability refused the input", r.Error));
    }

    [Fact]
    public async Task Enclave_at_capacity_answers_429_and_the_capability_retries_until_a_slot_frees()
    {
        // One slot, no queue: the blocking run holds it, so the enclave refuses the next request with 429;
        // the workflow nodes' capability treats 429 as "come back" and retries within its timeout.
        var blocking = _host.Request("exec-blocking", config: TestWorkflows.Blocks);
        var running = Task.WhenAll(EnclaveHost.WorkflowNodes[..2].Select(node => _host.ExecuteAsync(node, blocking)));
        await WaitUntilAsync(async () => (await _host.ExecutionsAsync()).Count == 1);

        // F+1 = 2 signed requests reach quorum, and only then does the enclave look for a free slot.
        var second = _host.Request("exec-second");
        var refused = await Task.WhenAll(EnclaveHost.WorkflowNodes[2..].Select(async node =>
        {
            var signed = ComputeRequestSigning.Sign(node.SigningKey, CapabilityIds.ConfidentialWorkflows, "exec-second", second.ToByteArray());
            using var response = await _host.CreateClient().PostAsJsonAsync(ConfidentialWorkflowsCapability.RequestsPath, signed, RelayJson.Options);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }));
        Assert.All(refused, r =>
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode);
            Assert.Contains("enclave at capacity", r.Body, StringComparison.Ordinal);
        });

        var retried = Task.WhenAll(EnclaveHost.WorkflowNodes[2..].Select(node => _host.ExecuteAsync(node, second)));
        _host.Modules.Gate.SetResult();

        Assert.All(await running, r => Assert.Equal("ran exec-blocking", r.Value.StringValue));
        Assert.All(await retried.WaitAsync(TimeSpan.FromSeconds(30)), r => Assert.Equal("ran exec-second", r.Value.StringValue));
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
