using Dapper;
using Npgsql;

namespace CreAspire.MockCapability.Vault;

/// <summary>Secrets in the node's own database (table vault_secrets). Owners are stored lower-case.</summary>
public sealed class SecretStore(NpgsqlDataSource dataSource)
{
    public async Task SetAsync(string owner, string @namespace, string key, string value, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO vault_secrets (owner, namespace, key, value) VALUES (@Owner, @Namespace, @Key, @Value)
            ON CONFLICT (owner, namespace, key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()
            """,
            new { Owner = owner.ToLowerInvariant(), Namespace = @namespace, Key = key, Value = value },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<string?> GetAsync(string owner, string @namespace, string key, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT value FROM vault_secrets WHERE owner = @Owner AND namespace = @Namespace AND key = @Key",
            new { Owner = owner.ToLowerInvariant(), Namespace = @namespace, Key = key },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}

/// <summary>Writes Vault:Seed secrets at start (after the migrations, which are registered first).</summary>
public sealed class SecretSeeder(SecretStore store, Microsoft.Extensions.Options.IOptions<VaultOptions> options) : Microsoft.Extensions.Hosting.IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var vault = options.Value;
        foreach (var (key, value) in vault.Seed)
        {
            await store.SetAsync(vault.SeedOwner, vault.SeedNamespace, key, value, cancellationToken).ConfigureAwait(false);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
