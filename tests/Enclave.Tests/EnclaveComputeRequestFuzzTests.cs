using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CreAspire.Chain.Identity;
using CreAspire.Fuzzing;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Confidential;
using CreAspire.Protocol.Enclave;
using CreAspire.Protocol.JsonRpc;
using Google.Protobuf;
using Xunit.Abstractions;

namespace CreAspire.Enclave.Tests;

/// <summary>
/// Compute requests and the artifacts they point to, mutated, against the enclave (workflow DON N=4, F=1: F+1 = 2
/// signatures run a request). Every answer must be the enclave's own: a status it documents (400, 401, 403, 429, 502,
/// 504; 500 only for a workflow that failed while running) with a problem detail that says what was wrong; both
/// signers of a request get the same answer; and afterwards a valid request still runs.
/// </summary>
public sealed class EnclaveComputeRequestFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly HttpStatusCode[] OwnStatuses =
    [
        HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden, (HttpStatusCode)429, HttpStatusCode.BadGateway, HttpStatusCode.GatewayTimeout,
    ];

    private EnclaveHost _host = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await EnclaveHost.StartAsync();
        _client = _host.CreateClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Mutated_signed_request_bodies_get_the_enclaves_own_answer()
    {
        var body = JsonSerializer.Serialize(Signed(EnclaveHost.WorkflowNodes[0], "exec-body", _host.Request("exec-body").ToByteArray()), RelayJson.Options);
        var inputs = JsonMutations.Systematic(body).Concat(JsonMutations.Random(body, 800, seed: 1825)).Concat(Mutations.Noise(200, 300, seed: 1826))
            .Concat(Mutations.Truncations(Encoding.UTF8.GetBytes(body)).Where((_, i) => i % 9 == 0));

        var tally = await FuzzTally.RunAsync("enclave: compute request bodies", inputs, async input =>
        {
            using var content = new ByteArrayContent(input.Bytes);
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await _client.PostAsync(ConfidentialWorkflowsCapability.RequestsPath, content);
            return await ClassifyAsync(response);
        }, concurrency: 16);

        tally.Report(output).AssertClean();
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Mutated_workflow_requests_signed_by_a_quorum_get_the_same_own_answer_for_every_signer()
    {
        var valid = _host.Request("exec-proto");
        var inputs = RequestFieldMutants(valid)
            .Concat(Mutations.BitFlips(valid.ToByteArray()).Where((_, i) => i % 4 == 0))
            .Concat(Mutations.Random(valid.ToByteArray(), 400, seed: 1827));

        // Identical bytes are the same request, so the execution id may come from them.
        var tally = await FuzzTally.RunAsync("enclave: workflow requests (protobuf), signed by F+1", inputs,
            input => QuorumAsync(input, "exec-proto-" + Convert.ToHexStringLower(SHA256.HashData(input.Bytes))[..16]), concurrency: 3);

        tally.Report(output).AssertClean();
        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Mutated_artifacts_behind_a_matching_binary_hash_get_the_enclaves_own_answer()
    {
        var inputs = Mutations.BitFlips(TestWorkflows.Artifact).Where((_, i) => i % 2 == 0)
            .Concat(Mutations.Truncations(TestWorkflows.Artifact))
            .Concat(Mutations.Random(TestWorkflows.Artifact, 300, seed: 1828))
            .Concat(Mutations.Noise(100, 200, seed: 1829))
            .Append(new Mutant("brotli bomb: 256 MiB of zeros", Encoding.ASCII.GetBytes(Convert.ToBase64String(BrotliOfZeros(256 * 1024 * 1024)))))
            .Append(new Mutant("raw brotli bomb: 256 MiB of zeros", BrotliOfZeros(256 * 1024 * 1024)))
            .ToArray();

        var tally = await FuzzTally.RunAsync("enclave: workflow artifacts (base64, brotli, wasm)", inputs, async input =>
        {
            var name = $"fuzz-{Convert.ToHexStringLower(SHA256.HashData(input.Bytes))[..16]}.b64";
            _host.Gateway.Artifacts[name] = input.Bytes;
            var request = _host.Request("exec-" + name, artifact: name, binaryHash: SHA256.HashData(input.Bytes));
            return await QuorumAsync(new Mutant(input.Label, request.ToByteArray()), "exec-" + name);
        }, concurrency: 3);

        tally.Report(output).AssertClean();
        await AssertStillServingAsync();
    }

    /// <summary>Nodes 0 and 1 sign the same bytes and post them at once; both must get the same answer.</summary>
    private async Task<FuzzResult> QuorumAsync(Mutant input, string executionId)
    {
        var posts = EnclaveHost.WorkflowNodes[..2].Select(async node =>
        {
            using var response = await _client.PostAsJsonAsync(ConfidentialWorkflowsCapability.RequestsPath, Signed(node, executionId, input.Bytes), RelayJson.Options);
            return (response.StatusCode, Result: await ClassifyAsync(response));
        }).ToArray();
        var answers = await Task.WhenAll(posts);
        if (answers[0].StatusCode != answers[1].StatusCode)
        {
            return FuzzResult.Wrong($"the two signers got different answers: {answers[0].StatusCode} {answers[0].Result.Message}, {answers[1].StatusCode} {answers[1].Result.Message}");
        }

        return answers[0].Result;
    }

    private static async Task<FuzzResult> ClassifyAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode == HttpStatusCode.OK)
        {
            return JsonSerializer.Deserialize<ComputeResponse>(text, RelayJson.Options)?.Response is { Length: > 0 }
                ? FuzzResult.Refused("200 ran", "ran")
                : FuzzResult.Wrong($"200 without a response payload: {text}");
        }

        string? detail = null;
        try
        {
            using var problem = JsonDocument.Parse(text);
            detail = problem.RootElement.TryGetProperty("detail", out var d) ? d.GetString() : null;
        }
        catch (JsonException)
        {
            // not a problem document: judged below
        }

        var ran = response.StatusCode == HttpStatusCode.InternalServerError && detail?.StartsWith("workflow ", StringComparison.Ordinal) == true;
        return OwnStatuses.Contains(response.StatusCode) || ran
            ? FuzzResult.Refused($"{(int)response.StatusCode}", detail)
            : FuzzResult.Wrong($"HTTP {(int)response.StatusCode}: {(text.Length == 0 ? "(empty body)" : text)}");
    }

    private async Task AssertStillServingAsync()
    {
        var request = _host.Request("exec-after-fuzz");
        var results = await Task.WhenAll(EnclaveHost.WorkflowNodes[2..].Select(node => _host.ExecuteAsync(node, request)));
        Assert.All(results, r => Assert.Equal("ran exec-after-fuzz", r.Value.StringValue));
    }

    private static SignedComputeRequest Signed(NodeKeys node, string executionId, byte[] publicData) =>
        ComputeRequestSigning.Sign(node.SigningKey, CapabilityIds.ConfidentialWorkflows, executionId, publicData);

    /// <summary>Each field of the execution with values a registry, a node or an attacker could put there.</summary>
    private IEnumerable<Mutant> RequestFieldMutants(ConfidentialWorkflowRequest valid)
    {
        var urls = new[]
        {
            "", "not a url", "ftp://x/y", "file:///etc/passwd", "http://[::1", "http://127.0.0.1:9/nothing", _host.Gateway.ArtifactUrl("missing.b64"),
            _host.Gateway.ArtifactUrl("other.b64"), "https://" + new string('a', 3000) + ".example/x", "http://user:pass@127.0.0.1:9/x",
        };
        foreach (var (url, i) in urls.Select((u, i) => (u, i)))
        {
            var request = valid.Clone();
            request.Execution.BinaryUrl = url;
            yield return new Mutant($"binary_url {i}", request.ToByteArray());
        }

        foreach (var hash in (byte[][])[[], new byte[31], new byte[32], new byte[33], SHA256.HashData("other"u8)])
        {
            var request = valid.Clone();
            request.Execution.BinaryHash = ByteString.CopyFrom(hash);
            yield return new Mutant($"binary_hash of {hash.Length} bytes", request.ToByteArray());
        }

        foreach (var (executeRequest, i) in ((byte[][])[[], [0xFF], [0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F], "garbage"u8.ToArray(), new byte[5000]]).Select((e, i) => (e, i)))
        {
            var request = valid.Clone();
            request.Execution.ExecuteRequest = ByteString.CopyFrom(executeRequest);
            yield return new Mutant($"execute_request {i}", request.ToByteArray());
        }

        foreach (var (value, i) in ((string[])["", "0x", "not hex", new string('f', 5000), "\u0000"]).Select((v, i) => (v, i)))
        {
            var workflowId = valid.Clone();
            workflowId.Execution.WorkflowId = value;
            yield return new Mutant($"workflow_id {i}", workflowId.ToByteArray());
            var owner = valid.Clone();
            owner.Execution.Owner = value;
            yield return new Mutant($"owner {i}", owner.ToByteArray());
        }

        var noExecution = valid.Clone();
        noExecution.Execution = null;
        yield return new Mutant("no execution", noExecution.ToByteArray());
        yield return new Mutant("empty request", []);
        var secrets = valid.Clone();
        secrets.VaultDonSecrets.Add(new SecretIdentifier());
        secrets.VaultDonSecrets.Add(new SecretIdentifier { Key = new string('k', 5000), Namespace = "\u0000" });
        yield return new Mutant("odd vault_don_secrets", secrets.ToByteArray());
    }

    private static byte[] BrotliOfZeros(int length)
    {
        using var output = new MemoryStream();
        using (var brotli = new System.IO.Compression.BrotliStream(output, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
        {
            var zeros = new byte[1024 * 1024];
            for (var written = 0; written < length; written += zeros.Length)
            {
                brotli.Write(zeros);
            }
        }

        return output.ToArray();
    }
}
