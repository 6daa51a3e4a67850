using CreAspire.Protocol;
using CreAspire.MockCapability.Vault;
using CreAspire.Protocol.Capabilities;

namespace CreAspire.MockCapability.Apis;

/// <summary>POST /secrets {owner, namespace?, key, value}: sets one vault@1.0.0 secret on this node.</summary>
public static class SecretsApi
{
    public sealed record SetSecretRequest(string Owner, string? Namespace, string Key, string Value);

    public static IEndpointRouteBuilder MapSecretsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost("/secrets", async (SetSecretRequest request, SecretStore store, CancellationToken cancellationToken) =>
        {
            if (!HexText.IsHexOfLength(request.Owner, 20) || string.IsNullOrWhiteSpace(request.Key) || request.Value is null)
            {
                return Results.BadRequest("owner must be a 0x address, key non-empty and value set (namespace defaults to \"main\")");
            }

            var @namespace = string.IsNullOrEmpty(request.Namespace) ? CapabilityIds.DefaultSecretNamespace : request.Namespace;
            await store.SetAsync(request.Owner, @namespace, request.Key, request.Value, cancellationToken).ConfigureAwait(false);
            return Results.NoContent();
        });
        return endpoints;
    }
}
