using System.Text.Json;
using CreAspire.Gateway.Tests.Support;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CapabilityResponse = CreAspire.Protocol.Sdk.CapabilityResponse;
using GetSecretsRequest = CreAspire.Protocol.Vault.GetSecretsRequest;
using CreAspire.RelayNode.Relay;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static CreAspire.Gateway.Tests.Relay.RelayRequests;

namespace CreAspire.Gateway.Tests.Relay;

public sealed class RelayRequestHandlerTests
{
    private readonly CapabilityRegistry _registry = new();
    private readonly RecordingCapability _vault = RecordingCapability.Vault();
    private readonly RecordingCapability _mock = RecordingCapability.Mock();
    private readonly TestAttestation _verifier = new();
    private readonly RelayRequestHandler _handler;

    public RelayRequestHandlerTests()
    {
        _registry.AddOrReplace(_vault);
        _registry.AddOrReplace(_mock);
        _handler = new RelayRequestHandler(_registry, _verifier, Options.Create(new RelayOptions { DonId = 7 }), NullLogger<RelayRequestHandler>.Instance);
    }

    public static TheoryData<string, string> BadAttestations => new()
    {
        { "missing", "missing attestation" },
        { "forged", "attestation rejected: attestation signature is invalid" },
        { "tampered", "attestation rejected: user_data does not match the request" },
        { "untrusted", "attestation rejected: no trusted PCR set matched" },
    };

    [Theory]
    [MemberData(nameof(BadAttestations))]
    public async Task Relay_refuses_a_bad_attestation_and_never_calls_the_vault(string kind, string expected)
    {
        var attested = Attested(SecretsParams("API_KEY"));
        var sent = kind switch
        {
            "missing" => attested with { Attestation = null },
            "forged" => attested with { Attestation = TestAttestation.Attest(new byte[32], key: "attacker"u8.ToArray()) },
            "tampered" => attested with { ExecutionId = "exec-2" },
            _ => Attested(SecretsParams("API_KEY"), enclave: 9),
        };

        var response = await _handler.HandleAsync(Request("s-1", RelayMethods.SecretsGet, sent), CancellationToken.None);

        Assert.Equal(JsonRpcErrorCodes.InvalidParams, response.Error!.Code);
        Assert.Equal(expected, response.Error.Message);
        Assert.Empty(_vault.Calls);
    }

    [Theory]
    [MemberData(nameof(BadAttestations))]
    public async Task Relay_refuses_a_bad_attestation_and_never_calls_the_capability(string kind, string expected)
    {
        var attested = Attested(CapabilityParams("hello"));
        var sent = kind switch
        {
            "missing" => attested with { Attestation = "" },
            "forged" => attested with { Attestation = TestAttestation.Attest(new byte[32], key: "attacker"u8.ToArray()) },
            "tampered" => attested with { Payload = CapabilityParams("evil").Payload },
            _ => Attested(CapabilityParams("hello"), enclave: 9),
        };

        var response = await _handler.HandleAsync(Request("c-1", RelayMethods.CapabilityExecute, sent), CancellationToken.None);

        Assert.Equal(expected, response.Error!.Message);
        Assert.Empty(_mock.Calls);
    }

    [Fact]
    public async Task Secrets_get_asks_the_vault_with_the_enclave_key_and_translates_hex_to_base64()
    {
        var response = await _handler.HandleAsync(Request("s-2", RelayMethods.SecretsGet, Attested(SecretsParams("API_KEY", "OTHER"))), CancellationToken.None);

        Assert.Null(response.Error);
        var result = response.Result!.Value.Deserialize<SecretsResponseResult>(RelayJson.Options)!;
        Assert.Equal(["API_KEY", "OTHER"], result.Secrets.Select(s => s.Id.Key));
        Assert.All(result.Secrets, s => Assert.Equal("main", s.Id.Namespace));
        Assert.Equal(Convert.ToBase64String("sealed:API_KEY"u8.ToArray()), result.Secrets[0].Ciphertext);
        Assert.Equal([Convert.ToBase64String(new byte[] { 0x0a, 0x0b })], result.Secrets[0].EncryptedShares);

        var call = Assert.Single(_vault.Calls);
        Assert.Equal((CapabilityIds.Vault, CapabilityIds.GetSecretsMethod), (call.CapabilityId, call.Method));
        var vaultRequest = call.Payload!.Unpack<GetSecretsRequest>();
        Assert.Equal("0x5FbDB2315678afecb367f032d93F642f64180aa3", vaultRequest.Requests[0].Id.Owner);
        Assert.Equal("main", vaultRequest.Requests[0].Id.Namespace);
        Assert.Equal([EnclavePublicKey], vaultRequest.Requests[0].EncryptionKeys);
        Assert.Equal(new CapabilityRequestMetadata { WorkflowId = "00aa", WorkflowOwner = "0x5FbDB2315678afecb367f032d93F642f64180aa3", WorkflowExecutionId = "exec-1", ReferenceId = "s-2", WorkflowDonId = 7 }, call.Metadata);
    }

    [Fact]
    public async Task A_per_secret_vault_error_fails_the_whole_call()
    {
        var response = await _handler.HandleAsync(Request("s-3", RelayMethods.SecretsGet, Attested(SecretsParams("API_KEY", "missing_KEY"))), CancellationToken.None);

        Assert.Equal("vault could not return secret 'missing_KEY' in namespace 'main': secret not found", response.Error!.Message);
    }

    [Fact]
    public async Task Honest_relays_translate_byte_for_byte_identically()
    {
        var request = Request("s-4", RelayMethods.SecretsGet, Attested(SecretsParams("API_KEY")));

        var first = await _handler.HandleAsync(request, CancellationToken.None);
        var second = await _handler.HandleAsync(request, CancellationToken.None);

        Assert.Equal(CanonicalJson.Digest(first), CanonicalJson.Digest(second));
    }

    [Fact]
    public async Task Capability_execute_calls_the_named_capability_and_returns_its_response_as_base64_protobuf()
    {
        var response = await _handler.HandleAsync(Request("c-2", RelayMethods.CapabilityExecute, Attested(CapabilityParams("hello"))), CancellationToken.None);

        var result = response.Result!.Value.Deserialize<CapabilityResponseResult>(RelayJson.Options)!;
        Assert.Null(result.Error);
        var capabilityResponse = CapabilityResponse.Parser.ParseFrom(Convert.FromBase64String(result.Payload!));
        Assert.Equal("mock:hello", capabilityResponse.Payload.Unpack<StringValue>().Value);
        var call = Assert.Single(_mock.Calls);
        Assert.Equal(("Execute", "7", 7u, "exec-1"), (call.Method, call.Metadata.ReferenceId, call.Metadata.WorkflowDonId, call.Metadata.WorkflowExecutionId));
    }

    [Fact]
    public async Task Capability_execute_falls_back_to_the_request_id_as_reference_id()
    {
        await _handler.HandleAsync(Request("c-ref", RelayMethods.CapabilityExecute, Attested(CapabilityParams("hello", referenceId: null))), CancellationToken.None);

        Assert.Equal("c-ref", Assert.Single(_mock.Calls).Metadata.ReferenceId);
    }

    [Fact]
    public async Task A_capability_error_comes_back_inside_the_result_not_as_a_json_rpc_error()
    {
        _registry.AddOrReplace(new RecordingCapability("failing@1.0.0", _ => new CapabilityResponse { Error = "upstream said no" }));

        var response = await _handler.HandleAsync(Request("c-3", RelayMethods.CapabilityExecute, Attested(CapabilityParams("x", "failing@1.0.0"))), CancellationToken.None);

        Assert.Null(response.Error);
        Assert.Equal("upstream said no", response.Result!.Value.Deserialize<CapabilityResponseResult>(RelayJson.Options)!.Error);
    }

    [Fact]
    public async Task An_exception_inside_a_capability_is_reported_as_internal_error_without_its_details()
    {
        _registry.AddOrReplace(new RecordingCapability("throwing@1.0.0", _ => throw new InvalidOperationException("secret connection string leaked")));

        var response = await _handler.HandleAsync(Request("c-4", RelayMethods.CapabilityExecute, Attested(CapabilityParams("x", "throwing@1.0.0"))), CancellationToken.None);

        Assert.Equal((JsonRpcErrorCodes.Internal, "internal error"), (response.Error!.Code, response.Error.Message));
    }

    [Theory]
    [InlineData("0x123", "owner must be a 0x-prefixed address of 40 hex characters")]
    [InlineData("5fbdb2315678afecb367f032d93f642f64180aa3", "owner must be a 0x-prefixed address of 40 hex characters")]
    public async Task Relay_rejects_an_owner_that_is_not_an_address(string owner, string expected)
    {
        var response = await _handler.HandleAsync(Request("v-1", RelayMethods.SecretsGet, Attested(SecretsParams("K") with { Owner = owner })), CancellationToken.None);

        Assert.Equal((JsonRpcErrorCodes.InvalidParams, expected), (response.Error!.Code, response.Error.Message));
        Assert.Equal(0, _verifier.Calls);
    }

    [Fact]
    public async Task Relay_rejects_a_missing_payload_and_missing_ids()
    {
        var noPayload = await _handler.HandleAsync(Request("v-2", RelayMethods.CapabilityExecute, CapabilityParams("x") with { Payload = "" }), CancellationToken.None);
        var noWorkflow = await _handler.HandleAsync(Request("v-3", RelayMethods.SecretsGet, SecretsParams("K") with { WorkflowId = "" }), CancellationToken.None);

        Assert.Equal("payload is required", noPayload.Error!.Message);
        Assert.Equal("workflow_id is required", noWorkflow.Error!.Message);
        Assert.Empty(_mock.Calls);
        Assert.Empty(_vault.Calls);
    }

    [Fact]
    public async Task A_relay_without_the_vault_says_so_in_the_same_words_on_every_node()
    {
        _registry.Remove(CapabilityIds.Vault);

        var response = await _handler.HandleAsync(Request("s-5", RelayMethods.SecretsGet, Attested(SecretsParams("API_KEY"))), CancellationToken.None);

        Assert.Equal("capability 'vault@1.0.0' is not available through the relay DON", response.Error!.Message);
    }

    [Fact]
    public async Task Unknown_method_is_method_not_found()
    {
        var response = await _handler.HandleAsync(new JsonRpcRequest { Id = "u", Method = "confidential.other" }, CancellationToken.None);

        Assert.Equal(JsonRpcErrorCodes.MethodNotFound, response.Error!.Code);
    }

    [Fact]
    public async Task Unconfigured_relay_refuses_every_attestation()
    {
        var handler = new RelayRequestHandler(_registry, new UnconfiguredAttestationVerifier(), Options.Create(new RelayOptions { DonId = 7 }), NullLogger<RelayRequestHandler>.Instance);

        var response = await handler.HandleAsync(Request("x", RelayMethods.CapabilityExecute, Attested(CapabilityParams("x"))), CancellationToken.None);

        Assert.StartsWith("attestation rejected: no attestation verifier is configured", response.Error!.Message, StringComparison.Ordinal);
        Assert.Empty(_mock.Calls);
    }
}
