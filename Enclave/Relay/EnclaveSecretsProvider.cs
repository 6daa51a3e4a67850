using System.Security.Cryptography;
using System.Text;
using CreAspire.Enclave.Identity;
using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.JsonRpc;
using CreAspire.Protocol.Relay;
using CreAspire.Protocol.Sdk;
using CreAspire.Protocol.Secrets;

namespace CreAspire.Enclave.Relay;

/// <summary>
/// get_secrets inside the enclave: <c>confidential.secrets.get</c> through the gateway with the run's public key and an
/// attestation over the params; each returned box is opened with the run's private key. Associated data of a box is
/// UTF-8 "&lt;owner lower-case 0x&gt;/&lt;namespace&gt;/&lt;key&gt;", the vault's sealing convention.
/// </summary>
public sealed class EnclaveSecretsProvider(ExecutionScope scope, RelayGatewayClient gateway, EnclaveAttestor attestor) : ISecretsProvider
{
    public async Task<IReadOnlyList<SecretResponse>> GetSecretsAsync(IReadOnlyList<SecretRequest> requests, CapabilityRequestMetadata metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0)
        {
            return [];
        }

        var ids = requests.Select(r => new RelaySecretIdentifier(r.Id, NamespaceOf(r))).ToArray();
        SecretsResponseResult result;
        try
        {
            result = await FetchAsync(ids, cancellationToken).ConfigureAwait(false);
        }
        catch (RelayGatewayException ex)
        {
            return requests.Select(r => Error(r, $"secrets could not be fetched through the gateway: {ex.Message}")).ToArray();
        }

        return requests.Select((request, i) => Open(request, ids[i], result)).ToArray();
    }


    /// <summary>
    /// One confidential.secrets.get for <paramref name="ids"/>, attested over its params with this run's public key.
    /// Throws <see cref="RelayGatewayException"/> when the gateway or the relays do not answer with a result.
    /// </summary>
    public Task<SecretsResponseResult> FetchAsync(IReadOnlyList<RelaySecretIdentifier> ids, CancellationToken cancellationToken)
    {
        var parameters = new SecretsRequestParams
        {
            WorkflowId = scope.WorkflowId,
            Owner = scope.Owner,
            ExecutionId = scope.ExecutionId,
            Secrets = ids,
            EnclavePublicKey = Convert.ToHexStringLower(scope.EnclavePublicKey),
        };
        parameters = parameters with
        {
            Attestation = attestor.AttestBase64(RelayMethods.DomainSecretsGet, RelayJson.AttestedBytes(parameters), scope.EnclavePublicKey),
        };
        return gateway.CallAsync<SecretsRequestParams, SecretsResponseResult>(RelayMethods.SecretsGet, parameters, cancellationToken);
    }

    private SecretResponse Open(SecretRequest request, RelaySecretIdentifier id, SecretsResponseResult result)
    {
        var entry = result.Secrets.FirstOrDefault(s => s.Id.Key == id.Key && NamespaceOf(s.Id.Namespace) == id.Namespace);
        if (entry is null)
        {
            return Error(request, $"the relay answer has no entry for secret {id.Namespace}/{id.Key}");
        }

        try
        {
            var plaintext = SecretSealer.Open(scope.EnclavePrivateKey, Convert.FromBase64String(entry.Ciphertext), SecretSealer.AssociatedData(scope.Owner, id.Namespace, id.Key));
            return new SecretResponse
            {
                Secret = new Secret { Id = request.Id, Namespace = id.Namespace, Owner = scope.Owner, Value = Encoding.UTF8.GetString(plaintext) },
            };
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return Error(request, $"secret {id.Namespace}/{id.Key} could not be opened with this run's key: {ex.Message}");
        }
    }

    private SecretResponse Error(SecretRequest request, string message) => new()
    {
        Error = new SecretError { Id = request.Id, Namespace = NamespaceOf(request), Owner = scope.Owner, Error = message },
    };

    private static string NamespaceOf(SecretRequest request) => NamespaceOf(request.Namespace);

    private static string NamespaceOf(string? @namespace) =>
        string.IsNullOrEmpty(@namespace) ? CapabilityIds.DefaultSecretNamespace : @namespace;
}
