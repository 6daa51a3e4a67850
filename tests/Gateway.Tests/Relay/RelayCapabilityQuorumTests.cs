using CreAspire.Don.Remote;
using CreAspire.Gateway.Tests.Support;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CreAspire.RelayNode.Relay;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static CreAspire.Gateway.Tests.Relay.RelayRequests;

namespace CreAspire.Gateway.Tests.Relay;

/// <summary>Too few capability nodes up: every relay answers the same clear error, so the gateway can agree on it.</summary>
public sealed class RelayCapabilityQuorumTests
{
    [Theory]
    [InlineData(RelayMethods.SecretsGet, CapabilityIds.Vault)]
    [InlineData(RelayMethods.CapabilityExecute, CapabilityIds.Mock)]
    public async Task An_unobtainable_capability_quorum_is_one_clear_answer_whatever_the_DON_clients_failure_list_says(string method, string capabilityId)
    {
        var answers = new List<JsonRpcResponse>();
        foreach (var failures in new[] { "node A unreachable; node B unreachable", "node B unreachable; node A unreachable" })
        {
            var registry = new CapabilityRegistry();
            registry.AddOrReplace(new RecordingCapability(capabilityId, _ => throw new CapabilityQuorumException($"quorum unobtainable for {capabilityId}: {failures}")));
            var handler = new RelayRequestHandler(registry, new TestAttestation(), Options.Create(new RelayOptions { DonId = 7 }), NullLogger<RelayRequestHandler>.Instance);
            var request = method == RelayMethods.SecretsGet
                ? Request("q-1", method, Attested(SecretsParams("API_KEY")))
                : Request("q-1", method, Attested(CapabilityParams("hello")));
            answers.Add(await handler.HandleAsync(request, CancellationToken.None));
        }

        Assert.All(answers, a => Assert.Equal(JsonRpcErrorCodes.Internal, a.Error!.Code));
        Assert.Equal(
            $"capability '{capabilityId}' is unavailable: quorum unobtainable, too few nodes of its DON answer to give F+1 identical responses",
            answers[0].Error!.Message);
        Assert.Equal(CanonicalJson.Digest(answers[0]), CanonicalJson.Digest(answers[1]));
    }
}
