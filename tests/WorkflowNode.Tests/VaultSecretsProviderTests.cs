using System.Collections.Concurrent;
using System.Text;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Secrets;
using CreAspire.Protocol.Topology;
using CreAspire.WorkflowNode.Runtime;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using VaultProto = CreAspire.Protocol.Vault;

namespace CreAspire.WorkflowNode.Tests;

public sealed class VaultSecretsProviderTests
{
    private const string OwnerHex = "70997970c51812dc3a010c7d01b50e0d17dc79c8";
    private const uint WorkflowDonId = 1;
    private static readonly NodeIdentity[] Workflow = [.. Enumerable.Range(0, 4).Select(i => NodeIdentity.Derive($"wf-{i}", "vault-provider-tests"))];
    private static readonly NodeIdentity[] Relay = [.. Enumerable.Range(0, 4).Select(i => NodeIdentity.Derive($"relay-{i}", "vault-provider-tests"))];

    private static readonly CapabilityRequestMetadata Metadata = new()
    {
        WorkflowOwner = OwnerHex,
        WorkflowExecutionId = "exec-1",
        ReferenceId = "1",
        WorkflowDonId = WorkflowDonId,
    };

    private static RegistrySnapshot Topology(Func<NodeIdentity, string>? keyOf = null)
    {
        keyOf ??= n => Convert.ToHexStringLower(n.Keys.EncryptionPublicKey);
        var dons = new[]
        {
            new DonInfo(WorkflowDonId, "workflow", 1, ["zone-a"], false, true, [.. Workflow.Select(n => n.Address)], []),
            new DonInfo(2, "relay", 1, ["zone-a"], true, false, [.. Relay.Select(n => n.Address)], []),
        };
        var nodes = Workflow.Concat(Relay).Select(n => new NodeInfo(n.Address, "", []) { EncryptionPublicKey = keyOf(n) }).ToArray();
        return new RegistrySnapshot(dons, nodes, []);
    }

    private static (VaultSecretsProvider Provider, SealingVault Vault) ProviderFor(NodeIdentity node, RegistrySnapshot snapshot)
    {
        var vault = new SealingVault();
        var registry = new CapabilityRegistry();
        registry.AddOrReplace(vault);
        return (new VaultSecretsProvider(registry, new StaticTopologySource(snapshot), node), vault);
    }

    [Fact]
    public async Task Every_workflow_node_sends_the_same_request_with_the_sorted_keys_of_all_workflow_DON_members()
    {
        var snapshot = Topology();
        var payloads = new List<byte[]>();

        foreach (var node in Workflow)
        {
            var (provider, vault) = ProviderFor(node, snapshot);
            await provider.GetSecretsAsync([new SecretRequest { Id = "API_KEY" }], Metadata, CancellationToken.None);
            payloads.Add(Assert.Single(vault.Calls).Payload!.Value.ToByteArray());
        }

        Assert.All(payloads, p => Assert.Equal(payloads[0], p));
        var request = VaultProto.GetSecretsRequest.Parser.ParseFrom(payloads[0]);
        var secret = Assert.Single(request.Requests);
        var expected = Workflow.Select(n => Convert.ToHexStringLower(n.Keys.EncryptionPublicKey)).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, secret.EncryptionKeys);
        Assert.Equal(("0x" + OwnerHex, "main", "API_KEY"), (secret.Id.Owner, secret.Id.Namespace, secret.Id.Key));
    }

    [Fact]
    public async Task Each_node_opens_the_share_sealed_to_its_own_key()
    {
        var snapshot = Topology();

        foreach (var node in Workflow)
        {
            var (provider, _) = ProviderFor(node, snapshot);

            var response = Assert.Single(await provider.GetSecretsAsync([new SecretRequest { Id = "API_KEY", Namespace = "team" }], Metadata, CancellationToken.None));

            Assert.True(response.ResponseCase == SecretResponse.ResponseOneofCase.Secret, response.Error?.Error);
            Assert.Equal(SealingVault.ValueFor(Convert.ToHexStringLower(node.Keys.EncryptionPublicKey)), response.Secret.Value);
            Assert.Equal(("API_KEY", "team", "0x" + OwnerHex), (response.Secret.Id, response.Secret.Namespace, response.Secret.Owner));
        }
    }

    [Fact]
    public async Task A_node_outside_every_workflow_DON_gets_a_per_secret_error_without_calling_the_vault()
    {
        var (provider, vault) = ProviderFor(Relay[0], Topology());

        var response = Assert.Single(await provider.GetSecretsAsync([new SecretRequest { Id = "API_KEY" }], Metadata, CancellationToken.None));

        Assert.Contains($"node {Relay[0].Address} is in no workflow DON", response.Error.Error, StringComparison.Ordinal);
        Assert.Empty(vault.Calls);
    }

    [Fact]
    public async Task A_node_whose_own_key_is_not_registered_gets_a_per_secret_error_without_calling_the_vault()
    {
        var node = Workflow[2];
        var (provider, vault) = ProviderFor(node, Topology(n => n == node ? "" : Convert.ToHexStringLower(n.Keys.EncryptionPublicKey)));

        var response = Assert.Single(await provider.GetSecretsAsync([new SecretRequest { Id = "API_KEY" }], Metadata, CancellationToken.None));

        Assert.Contains("encryption public key", response.Error.Error, StringComparison.Ordinal);
        Assert.Contains("is not registered", response.Error.Error, StringComparison.Ordinal);
        Assert.Empty(vault.Calls);
    }

    /// <summary>
    /// vault@1.0.0 at the boundary: seals a value that names the recipient key to every requested key, as the capability
    /// DON does (encrypted_value for keys[0], one share per key), and records the calls.
    /// </summary>
    private sealed class SealingVault : IExecutableCapability
    {
        public string Id => CapabilityIds.Vault;

        public ConcurrentQueue<CapabilityCall> Calls { get; } = new();

        public static string ValueFor(string encryptionKey) => "value-for-" + encryptionKey[..16];

        public Task<CapabilityResponse> ExecuteAsync(CapabilityCall call, CancellationToken cancellationToken)
        {
            Calls.Enqueue(call);
            var request = call.Payload!.Unpack<VaultProto.GetSecretsRequest>();
            var response = new VaultProto.GetSecretsResponse();
            foreach (var secret in request.Requests)
            {
                var aad = Encoding.UTF8.GetBytes($"{secret.Id.Owner}/{secret.Id.Namespace}/{secret.Id.Key}");
                var data = new VaultProto.SecretData();
                foreach (var key in secret.EncryptionKeys)
                {
                    var box = Convert.ToHexStringLower(SecretSealer.Seal(Convert.FromHexString(key), Encoding.UTF8.GetBytes(ValueFor(key)), Encoding.UTF8.GetBytes("seed-" + key), aad));
                    data.EncryptedValue = data.EncryptedValue.Length == 0 ? box : data.EncryptedValue;
                    data.EncryptedDecryptionKeyShares.Add(new VaultProto.EncryptedShares { EncryptionKey = key, Shares = { box } });
                }

                response.Responses.Add(new VaultProto.SecretResponse { Id = secret.Id, Data = data });
            }

            return Task.FromResult(new CapabilityResponse { Payload = Any.Pack(response) });
        }
    }
}
