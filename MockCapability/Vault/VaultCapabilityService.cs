using System.Security.Cryptography;
using System.Text;
using CreAspire.Protocol;
using CreAspire.Protocol.Capabilities;
using CapabilityResponse = CreAspire.Protocol.Sdk.CapabilityResponse;
using CreAspire.Protocol.Secrets;
using CreAspire.Protocol.Vault;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace CreAspire.MockCapability.Vault;

/// <summary>
/// vault@1.0.0 "GetSecrets": each requested secret comes back sealed (<see cref="SecretSealer"/>) to every key in
/// encryption_keys: SecretData.encrypted_value is the hex box for encryption_keys[0] (the single-key relay/enclave path),
/// and encrypted_decryption_key_shares holds one EncryptedShares{encryption_key, shares: [hex box]} per requested key
/// (including the first), in request order, so each member of a workflow DON opens its own share. The ephemeral seed of
/// each box is HMAC-SHA256(Vault:MasterKey, "owner|namespace|key|encryptionKey|workflowExecutionId|referenceId") and the
/// associated data is UTF-8 "owner/namespace/key" (owner lower-case 0x), so honest nodes answer byte-for-byte the same.
/// Unknown secrets, a secret of another owner than the calling workflow's, or a missing or malformed key give a
/// per-secret error. Every answered secret is recorded (<see cref="VaultRequestStore"/>: key, namespace, outcome, caller;
/// never the value).
/// </summary>
public sealed class VaultCapabilityService(SecretStore store, VaultRequestStore requests, IOptions<VaultOptions> options) : IExecutableCapability
{
    public string Id => CapabilityIds.Vault;

    public async Task<CapabilityResponse> ExecuteAsync(CapabilityCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (call.Method != CapabilityIds.GetSecretsMethod)
        {
            return new CapabilityResponse { Error = $"{Id} has no method '{call.Method}' (it serves '{CapabilityIds.GetSecretsMethod}')" };
        }

        if (call.Payload is null || !call.Payload.Is(GetSecretsRequest.Descriptor))
        {
            return new CapabilityResponse { Error = $"{Id} {call.Method} expects a GetSecretsRequest payload, got '{call.Payload?.TypeUrl ?? "none"}'" };
        }

        var request = call.Payload.Unpack<GetSecretsRequest>();
        var response = new GetSecretsResponse();
        var answered = new List<AnsweredSecret>(request.Requests.Count);
        foreach (var secret in request.Requests)
        {
            var answer = await AnswerAsync(secret, call.Metadata, cancellationToken).ConfigureAwait(false);
            response.Responses.Add(answer);
            answered.Add(new AnsweredSecret(answer.Id.Owner, answer.Id.Namespace, answer.Id.Key,
                string.IsNullOrEmpty(answer.Error) ? VaultRequestStore.Sealed : answer.Error, secret.EncryptionKeys.Count));
        }

        await requests.RecordAsync(call, answered, cancellationToken).ConfigureAwait(false);
        return new CapabilityResponse { Payload = Any.Pack(response) };
    }


    private async Task<SecretResponse> AnswerAsync(SecretRequest secret, CapabilityRequestMetadata metadata, CancellationToken cancellationToken)
    {
        var owner = SecretSealer.CanonicalOwner(secret.Id?.Owner ?? "");
        var @namespace = string.IsNullOrEmpty(secret.Id?.Namespace) ? CapabilityIds.DefaultSecretNamespace : secret.Id.Namespace;
        var key = secret.Id?.Key ?? "";
        var id = new SecretIdentifier { Owner = owner, Namespace = @namespace, Key = key };
        if (!HexText.IsHexOfLength(owner, 20))
        {
            return new SecretResponse { Id = id, Error = $"secret {@namespace}/{key}: owner '{owner}' is not a 0x address" };
        }

        if (!string.IsNullOrEmpty(metadata.WorkflowOwner) && !string.Equals(SecretSealer.CanonicalOwner(metadata.WorkflowOwner), owner, StringComparison.Ordinal))
        {
            return new SecretResponse { Id = id, Error = $"secret {@namespace}/{key}: owner {owner} is not the workflow owner {SecretSealer.CanonicalOwner(metadata.WorkflowOwner)}; a workflow may only read its owner's secrets" };
        }

        if (secret.EncryptionKeys.Count == 0)
        {
            return new SecretResponse { Id = id, Error = $"secret {@namespace}/{key}: encryption_keys is empty; give at least one hex 32-byte X25519 public key" };
        }

        var publicKeys = new List<byte[]>(secret.EncryptionKeys.Count);
        for (var i = 0; i < secret.EncryptionKeys.Count; i++)
        {
            if (!TryDecodePublicKey(secret.EncryptionKeys[i], out var publicKey))
            {
                return new SecretResponse { Id = id, Error = $"secret {@namespace}/{key}: encryption_keys[{i}] must be a hex 32-byte X25519 public key (a node's registered encryptionPublicKey)" };
            }

            publicKeys.Add(publicKey);
        }

        var value = await store.GetAsync(owner, @namespace, key, cancellationToken).ConfigureAwait(false);
        if (value is null)
        {
            return new SecretResponse { Id = id, Error = $"{VaultMessages.SecretNotFound}: owner {owner}, namespace {@namespace}, key {key}" };
        }

        var data = new SecretData();
        foreach (var publicKey in publicKeys)
        {
            var encryptionKey = Convert.ToHexStringLower(publicKey);
            var seed = HMACSHA256.HashData(
                Encoding.UTF8.GetBytes(options.Value.MasterKey),
                Encoding.UTF8.GetBytes($"{owner}|{@namespace}|{key}|{encryptionKey}|{metadata.WorkflowExecutionId}|{metadata.ReferenceId}"));
            var box = Convert.ToHexStringLower(SecretSealer.Seal(publicKey, Encoding.UTF8.GetBytes(value), seed, SecretSealer.AssociatedData(owner, @namespace, key)));
            if (data.EncryptedDecryptionKeyShares.Count == 0)
            {
                data.EncryptedValue = box;
            }

            data.EncryptedDecryptionKeyShares.Add(new EncryptedShares { EncryptionKey = encryptionKey, Shares = { box } });
        }

        return new SecretResponse { Id = id, Data = data };
    }


    private static bool TryDecodePublicKey(string hex, out byte[] publicKey)
    {
        return HexText.TryDecode(hex, SecretSealer.KeyLength, out publicKey);
    }
}
