using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CreAspire.Protocol.Vault;

namespace CreAspire.RelayNode.Relay;

/// <summary>
/// vault@1.0.0 GetSecrets ⇄ relay shapes, deterministic so every honest relay node produces byte-identical results
/// (the gateway votes on them): vault order is kept, hex becomes base64, any per-secret error fails the whole call.
/// </summary>
public static class VaultResponseTranslator
{
    public static GetSecretsRequest ToVaultRequest(SecretsRequestParams parameters, string ownerChecksummed)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var request = new GetSecretsRequest();
        foreach (var secret in parameters.Secrets)
        {
            request.Requests.Add(new SecretRequest
            {
                Id = new SecretIdentifier { Key = secret.Key, Namespace = NamespaceOf(secret), Owner = ownerChecksummed },
                EncryptionKeys = { parameters.EnclavePublicKey },
            });
        }

        return request;
    }

    public static SecretsResponseResult ToRelayResult(GetSecretsResponse response, SecretsRequestParams parameters)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(parameters);
        var entries = new List<SecretEntry>(response.Responses.Count);
        foreach (var secret in response.Responses)
        {
            var name = $"secret '{secret.Id?.Key}' in namespace '{secret.Id?.Namespace}'";
            if (secret.ResultCase == SecretResponse.ResultOneofCase.Error)
            {
                throw new RelayRequestException(JsonRpcErrorCodes.Internal, $"vault could not return {name}: {secret.Error}");
            }

            if (secret.ResultCase != SecretResponse.ResultOneofCase.Data || secret.Id is null)
            {
                throw new RelayRequestException(JsonRpcErrorCodes.Internal, $"vault returned neither data nor an error for {name}");
            }

            var shares = secret.Data.EncryptedDecryptionKeyShares
                .Where(s => SameKey(s.EncryptionKey, parameters.EnclavePublicKey))
                .SelectMany(s => s.Shares)
                .Select(share => ToBase64(share, name))
                .ToArray();
            entries.Add(new SecretEntry(
                new RelaySecretIdentifier(secret.Id.Key, string.IsNullOrEmpty(secret.Id.Namespace) ? CapabilityIds.DefaultSecretNamespace : secret.Id.Namespace),
                ToBase64(secret.Data.EncryptedValue, name),
                shares));
        }

        foreach (var requested in parameters.Secrets)
        {
            if (!entries.Any(e => e.Id.Key == requested.Key && e.Id.Namespace == NamespaceOf(requested)))
            {
                throw new RelayRequestException(JsonRpcErrorCodes.Internal, $"vault returned no entry for secret '{requested.Key}' in namespace '{NamespaceOf(requested)}'");
            }
        }

        return new SecretsResponseResult(entries);
    }

    public static string NamespaceOf(RelaySecretIdentifier secret) =>
        string.IsNullOrEmpty(secret?.Namespace) ? CapabilityIds.DefaultSecretNamespace : secret.Namespace;

    private static bool SameKey(string a, string b) =>
        string.Equals(Strip0x(a), Strip0x(b), StringComparison.OrdinalIgnoreCase);

    private static string Strip0x(string value) =>
        value.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? value[2..] : value;

    private static string ToBase64(string hex, string name)
    {
        try
        {
            return Convert.ToBase64String(Convert.FromHexString(hex.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? hex[2..] : hex));
        }
        catch (FormatException)
        {
            throw new RelayRequestException(JsonRpcErrorCodes.Internal, $"vault returned a value for {name} that is not hex");
        }
    }
}
