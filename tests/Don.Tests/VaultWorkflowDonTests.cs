using System.Security.Cryptography;
using System.Text;
using CreAspire.Don.Launcher;
using CreAspire.Don.Tests.Infrastructure;
using CreAspire.MockCapability.Vault;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Secrets;
using CreAspire.Protocol.Vault;
using Google.Protobuf.WellKnownTypes;
using CapabilityResponse = CreAspire.Protocol.Sdk.CapabilityResponse;

namespace CreAspire.Don.Tests;

/// <summary>
/// The non-confidential get_secrets path: every workflow-DON member asks vault@1.0.0 with the same request listing the
/// encryption keys of all members, so the capability DON reaches quorum, and each member opens only its own share.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class VaultWorkflowDonTests(PostgresFixture postgres) : IAsyncLifetime
{
    private const uint WorkflowDonId = 1;
    private const string Owner = VaultOptions.DefaultSeedOwner;
    private static readonly NodeIdentity[] Workflow = TestTopology.Nodes("wf", 4);
    private static readonly NodeIdentity[] Capability = TestTopology.Nodes("cap", 4);
    private DonNetwork _network = null!;
    private CallerNode[] _workflowNodes = [];

    public async Task InitializeAsync()
    {
        _network = new DonNetwork(TestTopology.Snapshot(
            TestTopology.Don(WorkflowDonId, "workflow", 1, Workflow, acceptsWorkflows: true),
            TestTopology.Don(3, "capability", 1, Capability, capabilities: [CapabilityIds.Mock, CapabilityIds.Vault])), Capability);
        for (var i = 0; i < Capability.Length; i++)
        {
            var node = await _network.StartCapabilityNodeAsync(Capability[i], await postgres.CreateDatabaseAsync($"vaultwf{i}"));
            await node.Get<CapabilityLauncher>().Ready.WaitAsync(TimeSpan.FromSeconds(10));
        }

        var callers = new List<CallerNode>();
        foreach (var node in Workflow)
        {
            callers.Add(await _network.StartCallerNodeAsync(node));
        }

        _workflowNodes = [.. callers];
    }

    public Task DisposeAsync() => _network.DisposeAsync().AsTask();

    /// <summary>The request every honest member builds: the same secret ids and all members' keys, sorted.</summary>
    private static GetSecretsRequest AllMembersRequest(params string[] keys)
    {
        var encryptionKeys = Workflow.Select(n => Convert.ToHexStringLower(n.Keys.EncryptionPublicKey)).Order(StringComparer.Ordinal).ToArray();
        var request = new GetSecretsRequest();
        request.Requests.AddRange(keys.Select(key => new SecretRequest
        {
            Id = new SecretIdentifier { Owner = Owner, Namespace = "main", Key = key },
            EncryptionKeys = { encryptionKeys },
        }));
        return request;
    }

    private static CapabilityCall Call(GetSecretsRequest request, string executionId, string workflowOwner) => new(
        CapabilityIds.Vault, CapabilityIds.GetSecretsMethod, Any.Pack(request),
        new CapabilityRequestMetadata
        {
            WorkflowId = "00bb" + new string('2', 60),
            WorkflowOwner = workflowOwner,
            WorkflowName = "secrets-test",
            WorkflowExecutionId = executionId,
            ReferenceId = "1",
            WorkflowDonId = WorkflowDonId,
        });

    [Theory]
    [InlineData("70997970c51812dc3a010c7d01b50e0d17dc79c8")] // workflow engine metadata: 40 hex chars, no 0x
    [InlineData("0x70997970C51812dc3A010C7d01b50e0d17dc79C8")] // relay: 0x EIP-55
    public async Task Four_workflow_nodes_sending_the_all_members_request_reach_quorum_and_each_opens_only_its_own_share(string workflowOwner)
    {
        var request = AllMembersRequest("MOCK_SECRET");

        var response = await FromAllAsync(request, workflowOwner);

        var secret = Assert.Single(response.Responses);
        Assert.True(secret.ResultCase == SecretResponse.ResultOneofCase.Data, secret.Error);
        var shares = secret.Data.EncryptedDecryptionKeyShares;
        Assert.Equal(request.Requests[0].EncryptionKeys, shares.Select(s => s.EncryptionKey));
        Assert.Equal(shares[0].Shares.Single(), secret.Data.EncryptedValue);
        var associatedData = SecretSealer.AssociatedData(Owner, "main", "MOCK_SECRET");
        foreach (var node in Workflow)
        {
            var own = Assert.Single(shares, s => s.EncryptionKey == Convert.ToHexStringLower(node.Keys.EncryptionPublicKey));
            var box = Convert.FromHexString(Assert.Single(own.Shares));
            Assert.Equal("s3cr3t-value", Encoding.UTF8.GetString(SecretSealer.Open(node.Keys.EncryptionPrivateKey, box, associatedData)));
            foreach (var other in shares.Where(s => s != own))
            {
                Assert.ThrowsAny<CryptographicException>(() => SecretSealer.Open(node.Keys.EncryptionPrivateKey, Convert.FromHexString(other.Shares.Single()), associatedData));
            }
        }
    }

    [Fact]
    public async Task A_malformed_key_in_the_list_fails_that_secret_and_names_the_position()
    {
        var request = AllMembersRequest("MOCK_SECRET");
        request.Requests[0].EncryptionKeys.Add("04abcd");

        var response = await FromAllAsync(request, Owner[2..]);

        var secret = Assert.Single(response.Responses);
        Assert.Equal("secret main/MOCK_SECRET: encryption_keys[4] must be a hex 32-byte X25519 public key (a node's registered encryptionPublicKey)", secret.Error);
    }

    [Fact]
    public async Task Secret_of_another_owner_than_the_workflow_owner_is_refused()
    {
        var request = AllMembersRequest("MOCK_SECRET");
        request.Requests[0].Id.Owner = "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc";

        var response = await FromAllAsync(request, Owner[2..]);

        Assert.Contains("is not the workflow owner", Assert.Single(response.Responses).Error, StringComparison.Ordinal);
    }

    /// <summary>Every workflow node calls concurrently with the same request, as the members of a DON do.</summary>
    private async Task<GetSecretsResponse> FromAllAsync(GetSecretsRequest request, string workflowOwner)
    {
        var executionId = Guid.NewGuid().ToString("N");
        var responses = await Task.WhenAll(_workflowNodes.Select(n =>
            n.Registry.Get(CapabilityIds.Vault).ExecuteAsync(Call(request, executionId, workflowOwner), CancellationToken.None)))
            .WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(responses, r => Assert.Equal(responses[0], r));
        Assert.True(responses[0].ResponseCase == CapabilityResponse.ResponseOneofCase.Payload, responses[0].Error);
        return responses[0].Payload.Unpack<GetSecretsResponse>();
    }
}
