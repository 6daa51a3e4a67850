using System.Security.Cryptography;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Secrets;
using CreAspire.Protocol.Topology;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using VaultProto = CreAspire.Protocol.Vault;

namespace CreAspire.WorkflowNode.Runtime;

/// <summary>
/// get_secrets for workflows the node runs itself (the non-confidential path): asks vault@1.0.0 on the capability DON for
/// each secret sealed to the registered encryption keys of ALL members of this node's workflow DON (sorted, so every
/// honest member sends a byte-identical request and the capability DON reaches quorum), then opens the share sealed to its
/// own key. Per-secret failures become SecretError.
/// </summary>
public sealed class VaultSecretsProvider(ICapabilityRegistry capabilities, ITopologySource topology, NodeIdentity identity) : ISecretsProvider
{
    public async Task<IReadOnlyList<SecretResponse>> GetSecretsAsync(
        IReadOnlyList<SecretRequest> requests, CapabilityRequestMetadata metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(metadata);
        var owner = SecretSealer.CanonicalOwner(metadata.WorkflowOwner);
        var snapshot = await topology.GetSnapshotAsync(cancellationToken).ConfigureAwait(false);
        var encryptionKeys = EncryptionKeys(snapshot, metadata, out var keyError);
        if (keyError is not null)
        {
            return requests.Select(r => Failure(r, owner, keyError)).ToList();
        }

        var vaultRequest = new VaultProto.GetSecretsRequest();
        foreach (var request in requests)
        {
            vaultRequest.Requests.Add(new VaultProto.SecretRequest
            {
                Id = new VaultProto.SecretIdentifier { Key = request.Id, Namespace = Namespace(request), Owner = owner },
                EncryptionKeys = { encryptionKeys },
            });
        }

        if (!capabilities.TryGet(CapabilityIds.Vault, out var vault))
        {
            return requests.Select(r => Failure(r, owner, $"{CapabilityIds.Vault} is not reachable from this node (no capability DON serves it)")).ToList();
        }

        var response = await vault.ExecuteAsync(
            new CapabilityCall(CapabilityIds.Vault, CapabilityIds.GetSecretsMethod, Any.Pack(vaultRequest), metadata), cancellationToken).ConfigureAwait(false);
        if (response.ResponseCase == CapabilityResponse.ResponseOneofCase.Error)
        {
            return requests.Select(r => Failure(r, owner, $"{CapabilityIds.Vault} failed: {response.Error}")).ToList();
        }

        VaultProto.GetSecretsResponse answer;
        try
        {
            answer = response.Payload.Unpack<VaultProto.GetSecretsResponse>();
        }
        catch (InvalidProtocolBufferException ex)
        {
            return requests.Select(r => Failure(r, owner, $"{CapabilityIds.Vault} answered with an unreadable payload: {ex.Message}")).ToList();
        }

        return requests.Select((request, i) => Open(request, owner, i < answer.Responses.Count ? answer.Responses[i] : null)).ToList();
    }

    /// <summary>
    /// The registered encryption keys (lower-case hex, no 0x) of every member of this node's workflow DON, sorted ordinally.
    /// The DON is the one metadata.WorkflowDonId names when it accepts workflows and has this node, else the workflow DON
    /// that has this node. Members without a registered key are left out; this node's own key must be registered and match
    /// its identity, or it could not open its share.
    /// </summary>
    internal IReadOnlyList<string> EncryptionKeys(RegistrySnapshot snapshot, CapabilityRequestMetadata metadata, out string? error)
    {
        var don = snapshot.FindDon(metadata.WorkflowDonId) is { AcceptsWorkflows: true } named && named.IsMember(identity.Address)
            ? named
            : snapshot.WorkflowDonOf(identity.Address);
        if (don is null)
        {
            error = $"node {identity.Address} is in no workflow DON (acceptsWorkflows) of the CapabilitiesRegistry, so it cannot tell which keys {CapabilityIds.Vault} should seal to; register it in the workflow DON";
            return [];
        }

        var ownKey = Convert.ToHexStringLower(identity.Keys.EncryptionPublicKey);
        var keys = don.Members
            .Select(member => NormalizeKey(snapshot.FindNode(member)?.EncryptionPublicKey ?? ""))
            .Where(key => key.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToArray();
        if (!keys.Contains(ownKey, StringComparer.Ordinal))
        {
            error = $"this node's encryption public key {ownKey} is not registered for node {identity.Address} in workflow DON {don.Id} ({don.Name}); register NodeParams.encryptionPublicKey = the node's X25519 encryption public key";
            return [];
        }

        error = null;
        return keys;
    }

    private SecretResponse Open(SecretRequest request, string owner, VaultProto.SecretResponse? answer)
    {
        if (answer is null)
        {
            return Failure(request, owner, $"{CapabilityIds.Vault} returned no answer for this secret");
        }

        if (answer.ResultCase != VaultProto.SecretResponse.ResultOneofCase.Data)
        {
            return Failure(request, owner, answer.Error);
        }

        var ownKey = Convert.ToHexStringLower(identity.Keys.EncryptionPublicKey);
        var share = answer.Data.EncryptedDecryptionKeyShares.FirstOrDefault(s => NormalizeKey(s.EncryptionKey) == ownKey);
        if (share is null || share.Shares.Count == 0)
        {
            return Failure(request, owner, $"{CapabilityIds.Vault} returned no share sealed to this node's key {ownKey}");
        }

        try
        {
            var box = Convert.FromHexString(share.Shares[0]);
            var aad = SecretSealer.AssociatedData(owner, Namespace(request), request.Id);
            var value = SecretSealer.Open(identity.Keys.EncryptionPrivateKey, box, aad);
            return new SecretResponse
            {
                Secret = new Secret { Id = request.Id, Namespace = Namespace(request), Owner = owner, Value = System.Text.Encoding.UTF8.GetString(value) },
            };
        }
        catch (Exception ex) when (ex is CryptographicException or FormatException or ArgumentException)
        {
            return Failure(request, owner, $"the sealed secret could not be opened with this node's key: {ex.Message}");
        }
    }

    private static string Namespace(SecretRequest request) =>
        string.IsNullOrEmpty(request.Namespace) ? CapabilityIds.DefaultSecretNamespace : request.Namespace;

    private static SecretResponse Failure(SecretRequest request, string owner, string error) => new()
    {
        Error = new SecretError { Id = request.Id, Namespace = Namespace(request), Owner = owner, Error = error },
    };

    private static string NormalizeKey(string key) =>
        (key.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? key[2..] : key).ToLowerInvariant();

}
