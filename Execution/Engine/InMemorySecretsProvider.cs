using CreAspire.Execution.Contracts;
using CreAspire.Protocol.Capabilities;
using CreAspire.Protocol.Sdk;

namespace CreAspire.Execution.Engine;

/// <summary>Secrets from a dictionary keyed by (namespace, id); missing secrets are answered with SecretError.</summary>
public sealed class InMemorySecretsProvider(IReadOnlyDictionary<(string Namespace, string Id), string> secrets) : ISecretsProvider
{
    public Task<IReadOnlyList<SecretResponse>> GetSecretsAsync(IReadOnlyList<SecretRequest> requests, CapabilityRequestMetadata metadata, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        ArgumentNullException.ThrowIfNull(metadata);
        IReadOnlyList<SecretResponse> responses = requests.Select(r =>
        {
            var ns = string.IsNullOrEmpty(r.Namespace) ? CapabilityIds.DefaultSecretNamespace : r.Namespace;
            return secrets.TryGetValue((ns, r.Id), out var value)
                ? new SecretResponse { Secret = new Secret { Id = r.Id, Namespace = ns, Owner = metadata.WorkflowOwner, Value = value } }
                : new SecretResponse { Error = new SecretError { Id = r.Id, Namespace = ns, Owner = metadata.WorkflowOwner, Error = $"secret '{r.Id}' not found in namespace '{ns}'" } };
        }).ToArray();
        return Task.FromResult(responses);
    }
}
