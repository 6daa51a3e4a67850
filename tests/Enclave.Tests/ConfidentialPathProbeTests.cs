using CreAspire.Enclave.Relay;

namespace CreAspire.Enclave.Tests;

/// <summary>
/// Enclave:PathProbe: once at start the enclave sends one attested confidential.secrets.get for a secret nobody has,
/// retrying while the gateway refuses, and stops at the vault's "secret not found" answer (or when its budget runs out).
/// </summary>
public sealed class ConfidentialPathProbeTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_probe_retries_while_the_gateway_refuses_and_stops_at_the_vaults_not_found_answer()
    {
        await using var host = await EnclaveHost.StartAsync(
            settings: new Dictionary<string, string> { ["Enclave:PathProbe"] = "true" },
            prepareGateway: gateway => gateway.RefuseNext = 2);

        var answered = await host.Get<ConfidentialPathProbe>().Completion.WaitAsync(Deadline);

        Assert.True(answered);
        // Two refused attempts, then the one that reached the relays; none after it.
        var calls = host.Gateway.SecretCalls.ToArray();
        var call = Assert.Single(calls);
        Assert.Equal(ConfidentialPathProbe.ProbeWorkflowId, call.WorkflowId);
        Assert.Equal(ConfidentialPathProbe.ProbeOwner, call.Owner);
        Assert.Equal(ConfidentialPathProbe.ProbeSecretKey, Assert.Single(call.Secrets).Key);
        Assert.Equal(64, call.ExecutionId.Length);
        // The stand-in relays verified its attestation with the real verifier (the test gateway rejects otherwise).
        Assert.Empty(host.Gateway.RejectedAttestations);
        Assert.Equal(3, host.Gateway.TraceParents.Count(t => t.Path == "/"));
    }

    [Fact]
    public async Task The_probe_gives_up_when_its_budget_runs_out_and_the_enclave_keeps_serving()
    {
        await using var host = await EnclaveHost.StartAsync(
            settings: new Dictionary<string, string> { ["Enclave:PathProbe"] = "true", ["Enclave:PathProbeBudget"] = "00:00:02" },
            prepareGateway: gateway => gateway.RefuseNext = int.MaxValue);

        var answered = await host.Get<ConfidentialPathProbe>().Completion.WaitAsync(Deadline);

        Assert.False(answered);
        Assert.Empty(host.Gateway.SecretCalls);
        Assert.True(host.Gateway.TraceParents.Count(t => t.Path == "/") >= 2);
        var health = await host.CreateClient().GetAsync(new Uri("/executions", UriKind.Relative));
        Assert.True(health.IsSuccessStatusCode, $"GET /executions: {(int)health.StatusCode}");
    }

    [Fact]
    public async Task Without_the_setting_there_is_no_probe()
    {
        await using var host = await EnclaveHost.StartAsync();

        _ = await host.CreateClient().GetAsync(new Uri("/executions", UriKind.Relative));

        Assert.Null(host.Get<IServiceProvider>().GetService(typeof(ConfidentialPathProbe)));
        Assert.Empty(host.Gateway.SecretCalls);
    }
}
