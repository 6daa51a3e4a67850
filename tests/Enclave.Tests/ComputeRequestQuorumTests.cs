using System.Net;
using System.Net.Http.Json;
using CreAspire.Chain.Identity;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Enclave;
using Google.Protobuf;

namespace CreAspire.Enclave.Tests;

/// <summary>Workflow DON of N=4, F=1: the enclave runs once it holds F+1 = 2 valid signatures of the same request.</summary>
public sealed class ComputeRequestQuorumTests : IAsyncLifetime
{
    private EnclaveHost _host = null!;

    public async Task InitializeAsync() => _host = await EnclaveHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task Enclave_waits_then_times_out_with_only_F_signatures()
    {
        // F = 1 signature of 2 required: the node waits the quorum timeout, then gets 504 with the counts.
        var ex = await Assert.ThrowsAsync<ConfidentialWorkflowsException>(() => _host.ExecuteAsync(EnclaveHost.WorkflowNodes[0], _host.Request("exec-f")));

        Assert.Equal(HttpStatusCode.GatewayTimeout, ex.StatusCode);
        Assert.Contains($"received 1 of 2 required signatures within {EnclaveHost.QuorumTimeout}", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await _host.ExecutionsAsync()).Count);
    }

    [Fact]
    public async Task Enclave_runs_once_at_F_plus_1_and_every_waiting_node_gets_the_same_answer()
    {
        // All four nodes send; the run starts at the second signature and the later two join the finished group.
        var request = _host.Request("exec-quorum");
        var results = await Task.WhenAll(EnclaveHost.WorkflowNodes.Select(node => _host.ExecuteAsync(node, request)));

        Assert.All(results, result => Assert.Equal("ran exec-quorum", result.Value.StringValue));
        Assert.Single(results.Select(r => r.ToByteString().ToBase64()).Distinct());
        var executions = await _host.ExecutionsAsync();
        Assert.Equal(1, executions.Count);
        Assert.Single(executions.Recent, e => e.ExecutionId == "exec-quorum" && e.Status == "started");
    }

    [Fact]
    public async Task Enclave_runs_a_subscribe_request_without_execution_id_once_at_F_plus_1()
    {
        // Subscribe carries no execution id: every node labels it with the request hash, so the requests still group.
        var request = _host.Request("");
        request.Execution.ExecuteRequest = new Protocol.Sdk.ExecuteRequest { Subscribe = new Google.Protobuf.WellKnownTypes.Empty() }.ToByteString();

        var results = await Task.WhenAll(EnclaveHost.WorkflowNodes[..2].Select(node => _host.ExecuteAsync(node, request)));

        Assert.All(results, r => Assert.Equal("ran ", r.Value.StringValue));
        Assert.Equal(1, (await _host.ExecutionsAsync()).Count);
    }

    [Fact]
    public async Task Enclave_does_not_merge_two_different_requests_for_the_same_execution_id()
    {
        // Nodes 0 and 1 agree on request A; node 2 sends a different request B under the same execution id.
        var a = _host.Request("exec-shared");
        var b = _host.Request("exec-shared", config: "a different config");

        var agreed = Task.WhenAll(_host.ExecuteAsync(EnclaveHost.WorkflowNodes[0], a), _host.ExecuteAsync(EnclaveHost.WorkflowNodes[1], a));
        var lone = Assert.ThrowsAsync<ConfidentialWorkflowsException>(() => _host.ExecuteAsync(EnclaveHost.WorkflowNodes[2], b));

        Assert.All(await agreed, r => Assert.Equal("ran exec-shared", r.Value.StringValue));
        var ex = await lone;
        Assert.Equal(HttpStatusCode.GatewayTimeout, ex.StatusCode);
        Assert.Contains("received 1 of 2", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, (await _host.ExecutionsAsync()).Count);
    }

    [Fact]
    public async Task Enclave_counts_a_node_signing_twice_once()
    {
        var request = _host.Request("exec-twice");

        var ex = await Assert.ThrowsAsync<ConfidentialWorkflowsException>(() => Task.WhenAll(
            _host.ExecuteAsync(EnclaveHost.WorkflowNodes[3], request), _host.ExecuteAsync(EnclaveHost.WorkflowNodes[3], request)));

        Assert.Contains("received 1 of 2", ex.Message, StringComparison.Ordinal);
        Assert.Equal(0, (await _host.ExecutionsAsync()).Count);
    }

    [Fact]
    public async Task Enclave_rejects_a_forged_signature_with_401()
    {
        var publicData = _host.Request("exec-forged").ToByteArray();
        var signed = ComputeRequestSigning.Sign(EnclaveHost.WorkflowNodes[0].SigningKey, CapabilityIds.ConfidentialWorkflows, "exec-forged", publicData);
        var forged = signed with { ApplicationRequestId = "exec-other" };

        var response = await _host.CreateClient().PostAsJsonAsync("/requests", forged);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("not to the claimed signer", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enclave_rejects_a_malformed_signature_with_401()
    {
        var signed = ComputeRequestSigning.Sign(EnclaveHost.WorkflowNodes[0].SigningKey, CapabilityIds.ConfidentialWorkflows, "exec-bad-sig", _host.Request("exec-bad-sig").ToByteArray());

        var response = await _host.CreateClient().PostAsJsonAsync("/requests", signed with { Signature = "0x1234" });

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("not a valid EIP-191 signature", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enclave_rejects_a_signer_outside_every_workflow_DON_with_403()
    {
        var stranger = NodeKeys.Derive("enclave-tests", "stranger");

        var outsider = await Assert.ThrowsAsync<ConfidentialWorkflowsException>(() => _host.ExecuteAsync(stranger, _host.Request("exec-stranger")));
        var capabilityNode = await Assert.ThrowsAsync<ConfidentialWorkflowsException>(() => _host.ExecuteAsync(EnclaveHost.CapabilityNode, _host.Request("exec-stranger")));

        Assert.Equal(HttpStatusCode.Forbidden, outsider.StatusCode);
        Assert.Contains($"signer {stranger.Address} is not a member of any workflow DON", outsider.Message, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Forbidden, capabilityNode.StatusCode);
    }

    [Fact]
    public async Task Enclave_answers_400_for_a_request_without_binary_url()
    {
        var request = _host.Request("exec-no-url");
        request.Execution.BinaryUrl = "";

        var ex = await Assert.ThrowsAsync<ConfidentialWorkflowsException>(() => _host.ExecuteAsync(EnclaveHost.WorkflowNodes[0], request));

        Assert.Equal(HttpStatusCode.BadRequest, ex.StatusCode);
        Assert.Contains("execution is missing binary_url", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enclave_refuses_a_binary_whose_hash_does_not_match_and_runs_nothing()
    {
        var request = _host.Request("exec-hash", artifact: "other.b64");

        var failures = await Task.WhenAll(EnclaveHost.WorkflowNodes[..2].Select(node =>
            Assert.ThrowsAsync<ConfidentialWorkflowsException>(() => _host.ExecuteAsync(node, request))));

        Assert.All(failures, ex =>
        {
            Assert.Equal(HttpStatusCode.BadGateway, ex.StatusCode);
            Assert.Contains("does not match binary_hash", ex.Message, StringComparison.Ordinal);
        });
        Assert.Equal(0, (await _host.ExecutionsAsync()).Count);
    }

    [Fact]
    public async Task Enclave_keeps_a_verified_binary_and_runs_it_again_without_downloading_it()
    {
        var first = _host.Request("exec-cache-1");
        await Task.WhenAll(EnclaveHost.WorkflowNodes[..2].Select(node => _host.ExecuteAsync(node, first)));
        Assert.True(_host.Gateway.Artifacts.TryRemove("workflow.b64", out _)); // a download would now fail with 502

        var second = _host.Request("exec-cache-2");
        var results = await Task.WhenAll(EnclaveHost.WorkflowNodes[..2].Select(node => _host.ExecuteAsync(node, second)));

        Assert.All(results, result => Assert.Equal("ran exec-cache-2", result.Value.StringValue));
    }

    /// <summary>Found by EnclaveComputeRequestFuzzTests: BrotliStream's InvalidOperationException became 500 "execution failed: Decoder ran into invalid data.".</summary>
    [Fact]
    public async Task Enclave_answers_502_for_an_artifact_that_is_corrupt_brotli()
    {
        var corrupt = TestWorkflows.Artifact.ToArray();
        corrupt[0] ^= 1 << 4;
        _host.Gateway.Artifacts["corrupt.b64"] = corrupt;
        var request = _host.Request("exec-corrupt", artifact: "corrupt.b64", binaryHash: System.Security.Cryptography.SHA256.HashData(corrupt));

        await AssertQuorumGetsBadGatewayAsync(request, "is base64 but not brotli-compressed WASM");
    }

    /// <summary>A 65 MiB module compresses to a few KiB: the download limit alone let it expand without bound in memory.</summary>
    [Fact]
    public async Task Enclave_answers_502_for_an_artifact_that_decompresses_beyond_the_binary_limit()
    {
        using var compressed = new MemoryStream();
        using (var brotli = new System.IO.Compression.BrotliStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            brotli.Write(TestWorkflows.Wasm);
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 65; i++)
            {
                brotli.Write(zeros);
            }
        }

        var bomb = System.Text.Encoding.ASCII.GetBytes(Convert.ToBase64String(compressed.ToArray()));
        _host.Gateway.Artifacts["bomb.b64"] = bomb;
        var request = _host.Request("exec-bomb", artifact: "bomb.b64", binaryHash: System.Security.Cryptography.SHA256.HashData(bomb));

        await AssertQuorumGetsBadGatewayAsync(request, "decompresses to more than the 67108864-byte limit (Enclave:MaxBinaryBytes)");
    }

    /// <summary>F+1 nodes send <paramref name="request"/>; both get 502 with <paramref name="message"/>.</summary>
    private async Task AssertQuorumGetsBadGatewayAsync(Protocol.Confidential.ConfidentialWorkflowRequest request, string message)
    {
        var failures = await Task.WhenAll(EnclaveHost.WorkflowNodes[..2].Select(node =>
            Assert.ThrowsAsync<ConfidentialWorkflowsException>(() => _host.ExecuteAsync(node, request))));

        Assert.All(failures, ex =>
        {
            Assert.Equal(HttpStatusCode.BadGateway, ex.StatusCode);
            Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        });
    }

    /// <summary>Found by EnclaveComputeRequestFuzzTests: the framework's body binding answered 400 with an empty body.</summary>
    [Theory]
    [InlineData("{not json", "request body is not JSON: ")]
    [InlineData("[1]", "request body must be a JSON object of strings app_id, application_request_id, public_data (base64), signer and signature (0x hex), not an array")]
    [InlineData("""{"app_id":5}""", "request body member $.app_id is not a string; ")]
    public async Task Enclave_answers_400_naming_what_is_wrong_with_a_malformed_body(string body, string detail)
    {
        using var response = await _host.CreateClient().PostAsync("/requests", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var problem = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith(detail, problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enclave_answers_502_when_the_binary_cannot_be_fetched()
    {
        var request = _host.Request("exec-missing", artifact: "missing.b64");

        var failures = await Task.WhenAll(EnclaveHost.WorkflowNodes[..2].Select(node =>
            Assert.ThrowsAsync<ConfidentialWorkflowsException>(() => _host.ExecuteAsync(node, request))));

        Assert.All(failures, ex => Assert.Equal(HttpStatusCode.BadGateway, ex.StatusCode));
        Assert.Equal(0, (await _host.ExecutionsAsync()).Count);
    }

    [Fact]
    public async Task Enclave_publishes_its_trusted_PCRs_and_CA_root()
    {
        var identity = await _host.CreateClient().GetFromJsonAsync<Apis.EnclaveIdentityResponse>("/identity");

        Assert.Equal(_host.Identity.TrustedPcrsJson, identity!.TrustedPcrsJson);
        Assert.Equal(_host.Identity.CaRootsPem, identity.CaRootsPem);
    }
}

/// <summary>The workflow node's side: what the capability refuses before signing, and how it reports an unreachable enclave.</summary>
public sealed class ConfidentialWorkflowsCapabilityTests
{
    private static readonly NodeKeys Node = NodeKeys.Derive("enclave-tests", "wf-0");

    [Fact]
    public async Task Capability_answers_an_unknown_method_with_a_capability_error()
    {
        var capability = new ConfidentialWorkflowsCapability(new HttpClient(), Node.SigningKey, new ConfidentialWorkflowsOptions { EnclaveUrl = new Uri("http://127.0.0.1:9") });

        var response = await capability.ExecuteAsync(new CapabilityCall(CapabilityIds.ConfidentialWorkflows, "ProvidedTees", null, new CapabilityRequestMetadata()), CancellationToken.None);

        Assert.Contains("has no method 'ProvidedTees'", response.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capability_answers_a_payload_of_another_type_with_a_capability_error()
    {
        var capability = new ConfidentialWorkflowsCapability(new HttpClient(), Node.SigningKey, new ConfidentialWorkflowsOptions { EnclaveUrl = new Uri("http://127.0.0.1:9") });
        var call = new CapabilityCall(CapabilityIds.ConfidentialWorkflows, CapabilityIds.ExecuteMethod, Google.Protobuf.WellKnownTypes.Any.Pack(new Google.Protobuf.WellKnownTypes.StringValue()), new CapabilityRequestMetadata());

        var response = await capability.ExecuteAsync(call, CancellationToken.None);

        Assert.Contains("expects an Any(ConfidentialWorkflowRequest) payload", response.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Capability_throws_naming_the_enclave_when_it_is_unreachable()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var capability = new ConfidentialWorkflowsCapability(new HttpClient(), Node.SigningKey, new ConfidentialWorkflowsOptions { EnclaveUrl = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(5) });
        var request = new Protocol.Confidential.ConfidentialWorkflowRequest { Execution = new Protocol.Confidential.WorkflowExecution { ExecutionId = "exec-1" } };
        var call = new CapabilityCall(CapabilityIds.ConfidentialWorkflows, CapabilityIds.ExecuteMethod, Google.Protobuf.WellKnownTypes.Any.Pack(request), new CapabilityRequestMetadata());

        var ex = await Assert.ThrowsAsync<ConfidentialWorkflowsException>(() => capability.ExecuteAsync(call, CancellationToken.None));

        Assert.Contains($"enclave at http://127.0.0.1:{port}/requests is unreachable", ex.Message, StringComparison.Ordinal);
    }
}
