using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace CreAspire.WorkflowNode.Tests;

/// <summary>A node's data source is bounded (a few connections, short idle lifetime) unless its connection string says otherwise.</summary>
[Collection(PostgresCollection.Name)]
public sealed class NodeDatabasePoolTests(PostgresFixture postgres)
{
    [Fact]
    public void The_pool_bounds_are_added_to_a_connection_string_that_has_none()
    {
        var bounded = new NpgsqlConnectionStringBuilder(NodeDatabaseExtensions.BoundedPool("Host=127.0.0.1;Port=5432;Username=postgres;Database=wf-0"));

        Assert.Equal(NodeDatabaseExtensions.MaxPoolSize, bounded.MaxPoolSize);
        Assert.Equal(NodeDatabaseExtensions.ConnectionIdleLifetimeSeconds, bounded.ConnectionIdleLifetime);
        Assert.Equal(NodeDatabaseExtensions.MinPoolSize, bounded.MinPoolSize);
        Assert.True(bounded.ConnectionPruningInterval <= 5);
        Assert.Equal("wf-0", bounded.Database);
    }

    [Fact]
    public void Bounds_the_connection_string_sets_itself_are_kept()
    {
        var kept = new NpgsqlConnectionStringBuilder(NodeDatabaseExtensions.BoundedPool("Host=h;Maximum Pool Size=20;Connection Idle Lifetime=60;Minimum Pool Size=0"));

        Assert.Equal((20, 60, 0), (kept.MaxPoolSize, kept.ConnectionIdleLifetime, kept.MinPoolSize));
    }

    [Fact]
    public async Task The_nodes_data_source_uses_the_bounded_pool()
    {
        var basePath = Directory.CreateTempSubdirectory("creaspire-wfnode-pool-").FullName;
        try
        {
            await using var node = new NodeHarness(await postgres.CreateDatabaseAsync(), basePath, new FakeRegistryReader());
            using var _ = node.Start();

            var settings = new NpgsqlConnectionStringBuilder(node.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString);

            Assert.Equal(NodeDatabaseExtensions.MaxPoolSize, settings.MaxPoolSize);
        }
        finally
        {
            Directory.Delete(basePath, recursive: true);
        }
    }
}
