using System.Text.Json;
using CreAspire.Attestation;
using CreAspire.Attestation.Nitro;
using CreAspire.Attestation.Testing;
using CreAspire.Gateway.Tests.Support;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CreAspire.RelayNode.Extensions;
using CreAspire.RelayNode.Relay;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static CreAspire.Gateway.Tests.Relay.RelayRequests;
using CapabilityResponse = CreAspire.Protocol.Sdk.CapabilityResponse;

namespace CreAspire.Gateway.Tests.Relay;

/// <summary>
/// The relay with its production verifier (Nitro attestation documents from a fake NSM, checked against the CA root and
/// PCRs the AppHost publishes): only a document from the trusted enclave image over DomainHash(tag, AttestedBytes(params))
/// reaches the vault or a capability.
/// </summary>
public sealed class NitroAttestationRelayTests : IDisposable
{
    private readonly FakeNitroIdentity _enclave = FakeNitroIdentity.Create();
    private readonly FakeNitroIdentity _attacker = FakeNitroIdentity.Create("i-attacker-enc0000000000000000");
    private readonly CapabilityRegistry _registry = new();
    private readonly RecordingCapability _vault = RecordingCapability.Vault();
    private readonly RecordingCapability _mock = RecordingCapability.Mock();
    private readonly RelayRequestHandler _handler;

    public NitroAttestationRelayTests()
    {
        _registry.AddOrReplace(_vault);
        _registry.AddOrReplace(_mock);
        var verifier = NitroEnclaveAttestationVerifier.FromOptions(
            new AttestationTrustOptions { CaRootsPem = _enclave.CaRootsPem, TrustedPcrs = _enclave.TrustedPcrsJson }, TimeProvider.System);
        _handler = new RelayRequestHandler(_registry, verifier, Options.Create(new RelayOptions { DonId = 7 }), NullLogger<RelayRequestHandler>.Instance);
    }

    public void Dispose()
    {
        _enclave.Dispose();
        _attacker.Dispose();
    }

    public static TheoryData<string, string> BadAttestations => new()
    {
        { "missing", "missing attestation" },
        { "forged", "attestation rejected: UntrustedCertificateChain: " },
        { "tampered", "attestation rejected: UserDataMismatch: " },
        { "untrusted", "attestation rejected: PcrMismatch: " },
        { "corrupt certificate", "attestation rejected: BadCertificate: " },
    };

    [Fact]
    public void A_relay_configured_with_CA_roots_and_trusted_PCRs_verifies_with_Nitro()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Attestation:CaRootsPem"] = _enclave.CaRootsPem,
            ["Attestation:TrustedPcrs"] = _enclave.TrustedPcrsJson,
        });
        builder.AddRelayNode();
        using var services = builder.Services.BuildServiceProvider();

        Assert.IsType<NitroEnclaveAttestationVerifier>(services.GetRequiredService<IEnclaveAttestationVerifier>());
    }

    [Fact]
    public async Task A_valid_attestation_over_the_secrets_request_reaches_the_vault()
    {
        var parameters = SecretsParams("API_KEY");
        var sent = parameters with { Attestation = Attest(_enclave, RelayMethods.DomainSecretsGet, RelayJson.AttestedBytes(parameters)) };

        var response = await _handler.HandleAsync(Request("s-1", RelayMethods.SecretsGet, sent), CancellationToken.None);

        Assert.Null(response.Error);
        var result = response.Result!.Value.Deserialize<SecretsResponseResult>(RelayJson.Options)!;
        Assert.Equal(Convert.ToBase64String("sealed:API_KEY"u8.ToArray()), Assert.Single(result.Secrets).Ciphertext);
        Assert.Equal("exec-1", Assert.Single(_vault.Calls).Metadata.WorkflowExecutionId);
    }

    [Fact]
    public async Task A_valid_attestation_over_the_capability_request_reaches_the_capability()
    {
        var parameters = CapabilityParams("hello");
        var sent = parameters with { Attestation = Attest(_enclave, RelayMethods.DomainCapabilityExecute, RelayJson.AttestedBytes(parameters)) };

        var response = await _handler.HandleAsync(Request("c-1", RelayMethods.CapabilityExecute, sent), CancellationToken.None);

        Assert.Null(response.Error);
        var result = response.Result!.Value.Deserialize<CapabilityResponseResult>(RelayJson.Options)!;
        Assert.Null(result.Error);
        Assert.Equal("mock:hello", CapabilityResponse.Parser.ParseFrom(Convert.FromBase64String(result.Payload!)).Payload.Unpack<StringValue>().Value);
        Assert.Single(_mock.Calls);
    }

    [Theory]
    [MemberData(nameof(BadAttestations))]
    public async Task Relay_refuses_a_bad_Nitro_attestation_for_secrets_and_never_calls_the_vault(string kind, string expected)
    {
        var parameters = SecretsParams("API_KEY");
        var sent = kind switch
        {
            "missing" => parameters with { Attestation = null },
            "forged" => parameters with { Attestation = Attest(_attacker, RelayMethods.DomainSecretsGet, RelayJson.AttestedBytes(parameters)) },
            "tampered" => parameters with
            {
                Attestation = Attest(_enclave, RelayMethods.DomainSecretsGet, RelayJson.AttestedBytes(parameters)),
                ExecutionId = "exec-2",
            },
            "corrupt certificate" => parameters with { Attestation = AttestWithCorruptLeafValidity(RelayMethods.DomainSecretsGet, RelayJson.AttestedBytes(parameters)) },
            _ => parameters with { Attestation = AttestWithOtherPcrs(RelayMethods.DomainSecretsGet, RelayJson.AttestedBytes(parameters)) },
        };

        var response = await _handler.HandleAsync(Request("s-2", RelayMethods.SecretsGet, sent), CancellationToken.None);

        Assert.Equal(JsonRpcErrorCodes.InvalidParams, response.Error!.Code);
        Assert.StartsWith(expected, response.Error.Message, StringComparison.Ordinal);
        Assert.Empty(_vault.Calls);
    }

    [Theory]
    [MemberData(nameof(BadAttestations))]
    public async Task Relay_refuses_a_bad_Nitro_attestation_for_a_capability_and_never_calls_it(string kind, string expected)
    {
        var parameters = CapabilityParams("hello");
        var sent = kind switch
        {
            "missing" => parameters with { Attestation = "" },
            "forged" => parameters with { Attestation = Attest(_attacker, RelayMethods.DomainCapabilityExecute, RelayJson.AttestedBytes(parameters)) },
            "tampered" => parameters with
            {
                Attestation = Attest(_enclave, RelayMethods.DomainCapabilityExecute, RelayJson.AttestedBytes(parameters)),
                Payload = CapabilityParams("evil").Payload,
            },
            "corrupt certificate" => parameters with { Attestation = AttestWithCorruptLeafValidity(RelayMethods.DomainCapabilityExecute, RelayJson.AttestedBytes(parameters)) },
            _ => parameters with { Attestation = AttestWithOtherPcrs(RelayMethods.DomainCapabilityExecute, RelayJson.AttestedBytes(parameters)) },
        };

        var response = await _handler.HandleAsync(Request("c-2", RelayMethods.CapabilityExecute, sent), CancellationToken.None);

        Assert.Equal(JsonRpcErrorCodes.InvalidParams, response.Error!.Code);
        Assert.StartsWith(expected, response.Error.Message, StringComparison.Ordinal);
        Assert.Empty(_mock.Calls);
    }

    private static string Attest(FakeNitroIdentity identity, string tag, byte[] attestedBytes) =>
        Convert.ToBase64String(identity.Attest(DomainHash.Compute(tag, attestedBytes)));

    /// <summary>
    /// A document signed by the trusted NSM whose leaf certificate's notBefore is not a time (the month reads "99"): the
    /// platform decodes validity lazily, so this once escaped the verifier as a CryptographicException and the relay
    /// answered -32603 "internal error" instead of refusing the attestation.
    /// </summary>
    private string AttestWithCorruptLeafValidity(string tag, byte[] attestedBytes)
    {
        var contents = _enclave.Contents(DomainHash.Compute(tag, attestedBytes));
        var leaf = (byte[])contents.Certificate!.Clone();
        var notBefore = leaf.AsSpan().IndexOf([(byte)0x17, (byte)0x0D]) + 2; // UTCTime, 13 characters: YYMMDDHHMMSSZ
        leaf[notBefore + 2] = (byte)'9';
        leaf[notBefore + 3] = (byte)'9';
        return Convert.ToBase64String(_enclave.Sign(contents with { Certificate = leaf }));
    }

    /// <summary>A genuine document from the trusted NSM, but for another enclave image (different PCR0..2).</summary>
    private string AttestWithOtherPcrs(string tag, byte[] attestedBytes)
    {
        var contents = _enclave.Contents(DomainHash.Compute(tag, attestedBytes));
        var otherImage = contents.Pcrs!.ToDictionary(p => p.Key, p => System.Security.Cryptography.SHA384.HashData([.. p.Value, 1]));
        return Convert.ToBase64String(_enclave.Sign(contents with { Pcrs = otherImage }));
    }
}
