using System.Text.Json;
using CreAspire.Gateway.Tests.Support;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CreAspire.RelayNode.Faults;
using CreAspire.RelayNode.Relay;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static CreAspire.Gateway.Tests.Relay.RelayRequests;
using CapabilityResponse = CreAspire.Protocol.Sdk.CapabilityResponse;

namespace CreAspire.Gateway.Tests.Relay;

/// <summary>The relay's wrong-answer fault: off, answers are the honest ones; on, every success is a different, well-formed result.</summary>
public sealed class WrongAnswersTests
{
    private readonly WrongAnswers _faults = new(NullLogger<WrongAnswers>.Instance);
    private readonly WrongAnswerHandler _handler;
    private readonly RelayRequestHandler _honest;

    public WrongAnswersTests()
    {
        var registry = new CapabilityRegistry();
        registry.AddOrReplace(RecordingCapability.Vault());
        registry.AddOrReplace(RecordingCapability.Mock());
        _honest = new RelayRequestHandler(registry, new TestAttestation(), Options.Create(new RelayOptions { DonId = 7 }), NullLogger<RelayRequestHandler>.Instance);
        _handler = new WrongAnswerHandler(_honest, _faults);
    }

    [Fact]
    public async Task Switched_off_the_answers_are_the_honest_handlers()
    {
        var request = Request("s-1", RelayMethods.SecretsGet, Attested(SecretsParams("API_KEY")));

        Assert.Equal(CanonicalJson.Digest(await _honest.HandleAsync(request, CancellationToken.None)),
            CanonicalJson.Digest(await _handler.HandleAsync(request, CancellationToken.None)));
    }

    [Fact]
    public async Task Switched_on_secrets_come_back_with_other_ciphertexts_of_the_same_length()
    {
        _faults.Set(true);
        var request = Request("s-2", RelayMethods.SecretsGet, Attested(SecretsParams("API_KEY")));

        var honest = (await _honest.HandleAsync(request, CancellationToken.None)).Result!.Value.Deserialize<SecretsResponseResult>(RelayJson.Options)!;
        var wrong = (await _handler.HandleAsync(request, CancellationToken.None)).Result!.Value.Deserialize<SecretsResponseResult>(RelayJson.Options)!;

        Assert.Equal(honest.Secrets.Select(s => s.Id), wrong.Secrets.Select(s => s.Id));
        Assert.NotEqual(honest.Secrets[0].Ciphertext, wrong.Secrets[0].Ciphertext);
        Assert.Equal(Convert.FromBase64String(honest.Secrets[0].Ciphertext).Length, Convert.FromBase64String(wrong.Secrets[0].Ciphertext).Length);
    }

    [Fact]
    public async Task Switched_on_a_capability_result_is_the_same_wrong_payload_on_every_faulty_node()
    {
        _faults.Set(true);
        var other = new WrongAnswerHandler(_honest, _faults);
        var request = Request("c-1", RelayMethods.CapabilityExecute, Attested(CapabilityParams("hello")));

        var response = await _handler.HandleAsync(request, CancellationToken.None);

        var result = response.Result!.Value.Deserialize<CapabilityResponseResult>(RelayJson.Options)!;
        Assert.Equal(WrongAnswers.WrongResult, CapabilityResponse.Parser.ParseFrom(Convert.FromBase64String(result.Payload!)).Payload.Unpack<StringValue>().Value);
        Assert.Equal(CanonicalJson.Digest(response), CanonicalJson.Digest(await other.HandleAsync(request, CancellationToken.None)));
    }

    [Fact]
    public async Task Switched_on_refusals_stay_refusals()
    {
        _faults.Set(true);

        var response = await _handler.HandleAsync(Request("s-3", RelayMethods.SecretsGet, Attested(SecretsParams("API_KEY")) with { Attestation = null }), CancellationToken.None);

        Assert.Equal((JsonRpcErrorCodes.InvalidParams, "missing attestation"), (response.Error!.Code, response.Error.Message));
        Assert.Null(response.Result);
    }
}
