using System.Security.Cryptography;
using CreAspire.Chain.Crypto;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Identity;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Secrets;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using VaultProto = CreAspire.Protocol.Vault;

namespace CreAspire.WorkflowNode.Runtime;

/// <summary>
/// get_secrets for workflows the node runs itself (the non-confidential path): asks vault@1.0.0 on the capability DON for
/// each secret sealed to this node's key, and opens the answers locally. Per-secret failures become SecretError.
/// </summary>
public sealed class VaultSecretsProvider(ICapabilityRegistry capabilities, NodeIdentity identity) : ISecretsProvider
{
    public async Task<IReadOnlyList<SecretResponse>> GetSecretsAsync(
        IReadOnlyList<SecretRequest> requests, CapabilityRequestMetadata metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(metadata);
        var owner = NormalizeOwner(metadata.WorkflowOwner);
        var encryptionKey = Hex.Encode(identity.Key.PublicKey);
        var vaultRequest = new VaultProto.GetSecretsRequest();
        foreach (var request in requests)
        {
            vaultRequest.Requests.Add(new VaultProto.SecretRequest
            {
                Id = new VaultProto.SecretIdentifier { Key = request.Id, Namespace = Namespace(request), Owner = owner },
                EncryptionKeys = { encryptionKey },
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

        try
        {
            var box = Hex.Decode(answer.Data.EncryptedValue);
            var aad = System.Text.Encoding.UTF8.GetBytes($"{owner}/{Namespace(request)}/{request.Id}");
            var value = SecretSealer.Open(identity.Key, box, aad);
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

    /// <summary>Engine metadata carries the owner as 40 hex chars; the vault and the seal use "0x" + lower case.</summary>
    internal static string NormalizeOwner(string owner) =>
        "0x" + (owner.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? owner[2..] : owner).ToLowerInvariant();
}
