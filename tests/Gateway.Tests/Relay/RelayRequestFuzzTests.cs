using System.Text.Json;
using CreAspire.Fuzzing;
using CreAspire.Gateway.Tests.Support;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CreAspire.RelayNode.Relay;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;
using static CreAspire.Gateway.Tests.Relay.RelayRequests;
using CapabilityResponse = CreAspire.Protocol.Sdk.CapabilityResponse;

namespace CreAspire.Gateway.Tests.Relay;

/// <summary>
/// What the gateway forwards to a relay node is whatever a user sent: mutated secrets and capability params, re-attested
/// whenever they still have the params' shape so they get past the attestation check. Every answer must be a result or
/// the relay's own refusal (-32602 naming the problem, -32603 naming the vault or capability failure); the catch-all
/// "internal error" means an exception nobody expected, and is a finding.
/// </summary>
public sealed class RelayRequestFuzzTests(ITestOutputHelper output)
{
    private readonly RelayRequestHandler _handler = NewHandler();

    [Fact]
    public async Task Mutated_secrets_params_get_a_result_or_the_relays_own_refusal()
    {
        var valid = JsonSerializer.Serialize(Attested(SecretsParams("API_KEY", "missing-one")), RelayJson.Options);

        var tally = await Fuzz("relay: secrets params", RelayMethods.SecretsGet, valid, element =>
            element.Deserialize<SecretsRequestParams>(RelayJson.Options) is { } p ? JsonSerializer.SerializeToElement(Attested(p), RelayJson.Options) : element);

        Assert.True(tally.Refusals.ContainsKey("result"));
    }

    [Fact]
    public async Task Mutated_capability_params_get_a_result_or_the_relays_own_refusal()
    {
        var valid = JsonSerializer.Serialize(Attested(CapabilityParams("hello")), RelayJson.Options);

        var tally = await Fuzz("relay: capability params", RelayMethods.CapabilityExecute, valid, element =>
            element.Deserialize<CapabilityRequestParams>(RelayJson.Options) is { } p ? JsonSerializer.SerializeToElement(Attested(p), RelayJson.Options) : element);

        Assert.True(tally.Refusals.ContainsKey("result"));
    }

    private async Task<FuzzTally> Fuzz(string parser, string method, string valid, Func<JsonElement, JsonElement> reattest)
    {
        var inputs = JsonMutations.Systematic(valid).Concat(JsonMutations.Random(valid, 1500, seed: method.Length + 1845));
        var tally = await FuzzTally.RunAsync(parser, inputs, async input =>
        {
            JsonElement parameters;
            try
            {
                using var document = JsonDocument.Parse(input.Bytes);
                parameters = document.RootElement.Clone();
            }
            catch (JsonException)
            {
                return FuzzResult.Refused("not JSON (the gateway refuses it)", "not JSON");
            }

            try
            {
                parameters = reattest(parameters);
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
            {
                // Not the params' shape (or not writable): sent as it is, the attestation will not match.
            }

            var response = await _handler.HandleAsync(new JsonRpcRequest { Id = "fuzz", Method = method, Params = parameters }, CancellationToken.None);
            return response.Error switch
            {
                null => FuzzResult.Refused("result", "ok"),
                { Message: RelayRequestHandler.InternalErrorMessage } => FuzzResult.Wrong("\"internal error\": the relay threw an exception it did not expect (see its log)"),
                { } error => FuzzResult.Refused($"{error.Code}", error.Message),
            };
        }, concurrency: Environment.ProcessorCount);

        tally.Report(output).AssertClean();
        return tally;
    }

    private static RelayRequestHandler NewHandler()
    {
        var registry = new CapabilityRegistry();
        registry.AddOrReplace(RecordingCapability.Vault());
        // Unlike the recording mock, answers any input (a mutated payload may carry any type).
        registry.AddOrReplace(new RecordingCapability(CapabilityIds.Mock, call => call.Payload is { } payload && payload.TryUnpack<StringValue>(out var text)
            ? new CapabilityResponse { Payload = Any.Pack(new StringValue { Value = "mock:" + text.Value }) }
            : new CapabilityResponse { Error = "mock expects a StringValue" }));
        return new RelayRequestHandler(registry, new TestAttestation(), Options.Create(new RelayOptions { DonId = 7 }), NullLogger<RelayRequestHandler>.Instance);
    }
}
