using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using CreAspire.Chain.Identity;
using Nethereum.Util;
using CreAspire.Don.Launcher;
using CreAspire.Don.Tests.Infrastructure;
using CreAspire.MockCapability.Vault;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Secrets;
using CreAspire.Protocol.Vault;
using Google.Protobuf.WellKnownTypes;

namespace CreAspire.Don.Tests;

[Collection(PostgresCollection.Name)]
public sealed class VaultTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const string Owner = VaultOptions.DefaultSeedOwner;
    private const string OtherOwner = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";
    private static readonly NodeIdentity[] Relay = TestTopology.Nodes("relay", 4);
    private static readonly NodeIdentity[] Capability = TestTopology.Nodes("cap", 4);
    private readonly NodeKeys _enclave = NodeKeys.Derive("vault-tests", "enclave");
    private DonNetwork _network = null!;
    private CallerNode[] _relays = [];

    public async Task InitializeAsync()
    {
        _network = new DonNetwork(TestTopology.Snapshot(
            TestTopology.Don(2, "relay", 1, Relay),
            TestTopology.Don(3, "capability", 1, Capability, capabilities: [CapabilityIds.Mock, CapabilityIds.Vault])), Capability);
        for (var i = 0; i < Capability.Length; i++)
        {
            var node = await _network.StartCapabilityNodeAsync(Capability[i], await postgres.CreateDatabaseAsync($"vault{i}"));
            await node.Get<CapabilityLauncher>().Ready.WaitAsync(TimeSpan.FromSeconds(10));
        }

        var relays = new List<CallerNode>();
        foreach (var relay in Relay)
        {
            relays.Add(await _network.StartCallerNodeAsync(relay));
        }

        _relays = [.. relays];
    }

    public Task DisposeAsync() => _network.DisposeAsync().AsTask();

    private async Task<GetSecretsResponse> GetSecretsAsync(string workflowOwner, params SecretIdentifier[] ids)
    {
        var request = new GetSecretsRequest();
        request.Requests.AddRange(ids.Select(id => new SecretRequest { Id = id, EncryptionKeys = { Convert.ToHexStringLower(_enclave.EncryptionPublicKey) } }));
        var executionId = Guid.NewGuid().ToString("N");
        var responses = await Task.WhenAll(_relays.Select(r => r.Registry.Get(CapabilityIds.Vault).ExecuteAsync(
            new CapabilityCall(CapabilityIds.Vault, CapabilityIds.GetSecretsMethod, Any.Pack(request),
                new CapabilityRequestMetadata { WorkflowOwner = workflowOwner, WorkflowExecutionId = executionId, ReferenceId = "secrets-1" }),
            CancellationToken.None)));
        Assert.All(responses, r => Assert.Equal(responses[0], r));
        Assert.True(responses[0].ResponseCase == Protocol.Sdk.CapabilityResponse.ResponseOneofCase.Payload, responses[0].Error);
        return responses[0].Payload.Unpack<GetSecretsResponse>();
    }

    [Fact]
    public async Task Seeded_secret_round_trips_and_only_the_private_key_holder_can_open_it()
    {
        var response = await GetSecretsAsync(Owner, new SecretIdentifier { Owner = Owner, Key = "MOCK_SECRET" });

        var secret = Assert.Single(response.Responses);
        Assert.Equal(SecretResponse.ResultOneofCase.Data, secret.ResultCase);
        Assert.Equal("main", secret.Id.Namespace);
        var box = Convert.FromHexString(secret.Data.EncryptedValue);
        var associatedData = Encoding.UTF8.GetBytes($"{Owner}/main/MOCK_SECRET");
        Assert.Equal("s3cr3t-value", Encoding.UTF8.GetString(SecretSealer.Open(_enclave.EncryptionPrivateKey, box, associatedData)));
        Assert.ThrowsAny<CryptographicException>(() => SecretSealer.Open(NodeKeys.Derive("vault-tests", "someone-else").EncryptionPrivateKey, box, associatedData));
        Assert.ThrowsAny<CryptographicException>(() => SecretSealer.Open(_enclave.EncryptionPrivateKey, box, Encoding.UTF8.GetBytes($"{Owner}/main/OTHER")));
    }

    [Fact]
    public async Task Every_answered_secret_is_recorded_with_key_namespace_outcome_and_caller_but_never_its_value()
    {
        await GetSecretsAsync(Owner, new SecretIdentifier { Owner = Owner, Key = "MOCK_SECRET" }, new SecretIdentifier { Owner = Owner, Key = "NOT_THERE", Namespace = "other" });

        var recorded = new List<VaultRequestRecord>();
        foreach (var node in _network.CapabilityNodes)
        {
            recorded.AddRange(await node.Get<VaultRequestStore>().ListAsync(null, null, 100, CancellationToken.None));
        }

        // The remote protocol runs the request once F(relay)+1 relays asked, on every capability node that got them.
        Assert.NotEmpty(recorded);
        Assert.All(recorded.GroupBy(r => r.WorkflowExecutionId), execution =>
        {
            Assert.Contains(execution, r => r is { Key: "MOCK_SECRET", Namespace: "main", Outcome: VaultRequestStore.Sealed, EncryptionKeys: 1 });
            Assert.Contains(execution, r => r.Key == "NOT_THERE" && r.Namespace == "other" && r.Outcome.StartsWith("secret not found", StringComparison.Ordinal));
        });
        Assert.All(recorded, r =>
        {
            Assert.Equal(2u, (uint)r.CallerDonId);
            Assert.Equal(Owner, r.Owner);
            Assert.DoesNotContain("s3cr3t-value", r.Outcome, StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Secret_set_through_the_endpoint_on_every_node_is_served()
    {
        foreach (var node in _network.CapabilityNodes)
        {
            using var http = new HttpClient { BaseAddress = node.BaseUrl };
            using var posted = await http.PostAsJsonAsync("/secrets", new { owner = Owner, @namespace = "team", key = "API_KEY", value = "v2" });
            Assert.Equal(System.Net.HttpStatusCode.NoContent, posted.StatusCode);
        }

        var response = await GetSecretsAsync(Owner, new SecretIdentifier { Owner = Owner, Namespace = "team", Key = "API_KEY" });

        var box = Convert.FromHexString(Assert.Single(response.Responses).Data.EncryptedValue);
        Assert.Equal("v2", Encoding.UTF8.GetString(SecretSealer.Open(_enclave.EncryptionPrivateKey, box, SecretSealer.AssociatedData(Owner, "team", "API_KEY"))));
    }

    [Fact]
    public async Task Unknown_key_and_wrong_owner_produce_per_secret_errors()
    {
        var response = await GetSecretsAsync(Owner,
            new SecretIdentifier { Owner = Owner, Key = "NO_SUCH_SECRET" },
            new SecretIdentifier { Owner = OtherOwner, Key = "MOCK_SECRET" },
            new SecretIdentifier { Owner = Owner, Key = "MOCK_SECRET" });

        Assert.Equal(3, response.Responses.Count);
        Assert.Equal($"secret not found: owner {Owner}, namespace main, key NO_SUCH_SECRET", response.Responses[0].Error);
        Assert.Contains($"owner {OtherOwner} is not the workflow owner {Owner}", response.Responses[1].Error, StringComparison.Ordinal);
        Assert.Equal(SecretResponse.ResultOneofCase.Data, response.Responses[2].ResultCase);
    }

    [Fact]
    public async Task Secret_of_another_owner_is_not_found_for_that_owner()
    {
        var response = await GetSecretsAsync(OtherOwner, new SecretIdentifier { Owner = OtherOwner, Key = "MOCK_SECRET" });

        Assert.Equal($"secret not found: owner {OtherOwner}, namespace main, key MOCK_SECRET", Assert.Single(response.Responses).Error);
    }

    [Theory]
    [InlineData("bare")] // a workflow node: the engine's owner, 40 hex chars without 0x
    [InlineData("eip55")] // the relay: 0x-prefixed, EIP-55 mixed case
    public async Task The_workflow_owner_matches_the_secret_owner_in_either_form(string form)
    {
        var workflowOwner = form == "bare" ? Owner[2..] : AddressUtil.Current.ConvertToChecksumAddress(Owner);
        var otherOwner = form == "bare" ? OtherOwner[2..] : AddressUtil.Current.ConvertToChecksumAddress(OtherOwner);
        Assert.NotEqual(Owner, workflowOwner);

        var allowed = await GetSecretsAsync(workflowOwner, new SecretIdentifier { Owner = Owner, Key = "MOCK_SECRET" });
        var refused = await GetSecretsAsync(otherOwner, new SecretIdentifier { Owner = Owner, Key = "MOCK_SECRET" });

        var secret = Assert.Single(allowed.Responses);
        Assert.Equal(SecretResponse.ResultOneofCase.Data, secret.ResultCase);
        var box = Convert.FromHexString(secret.Data.EncryptedValue);
        Assert.Equal("s3cr3t-value", Encoding.UTF8.GetString(SecretSealer.Open(_enclave.EncryptionPrivateKey, box, SecretSealer.AssociatedData(Owner, "main", "MOCK_SECRET"))));
        Assert.Contains($"owner {Owner} is not the workflow owner {OtherOwner}", Assert.Single(refused.Responses).Error, StringComparison.Ordinal);
    }
}
