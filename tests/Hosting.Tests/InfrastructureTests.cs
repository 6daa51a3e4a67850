using System.Text.Json;
using CreAspire.Hosting.Testing;
using Npgsql;

namespace CreAspire.Hosting.Tests;

/// <summary>Real embedded Postgres and real Anvil, and the environment a real process receives.</summary>
public sealed class InfrastructureTests
{
    [Fact]
    public async Task Postgres_starts_and_creates_every_declared_database()
    {
        var builder = TestApp.CreateBuilder();
        var postgres = builder.AddPostgres("postgres");
        postgres.AddDatabase("wf-0-db", "wf-0");
        postgres.AddDatabase("relay-1-db", "relay-1");
        await using var app = await builder.BuildAsync();

        await app.StartOrDescribeAsync();

        foreach (var (resource, expected) in new[] { ("wf-0-db", "wf-0"), ("relay-1-db", "relay-1") })
        {
            Assert.Equal(KnownResourceStates.Healthy, app.ResourceNotifications.GetSnapshot(resource).State);
            await using var connection = new NpgsqlConnection(await app.GetConnectionStringAsync(resource));
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT current_database()", connection);
            Assert.Equal(expected, await command.ExecuteScalarAsync());
        }
    }

    [Fact]
    public async Task Anvil_answers_with_chain_id_1337()
    {
        var builder = TestApp.CreateBuilder();
        builder.AddAnvil("anvil");
        await using var app = await builder.BuildAsync();

        await app.StartOrDescribeAsync();

        using var http = new HttpClient();
        using var response = await http.PostAsJsonAsync(
            await app.GetConnectionStringAsync("anvil"), new { jsonrpc = "2.0", id = 1, method = "eth_chainId", @params = Array.Empty<object>() });
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("0x539", body.RootElement.GetProperty("result").GetString());
    }

    [Fact]
    public async Task A_service_receives_connection_strings_service_urls_and_otel_name_that_work()
    {
        var builder = TestApp.CreateBuilder();
        var database = builder.AddPostgres("postgres").AddDatabase("wf-0-db", "wf-0");
        var gateway = builder.AddTestService("gateway");
        builder.AddTestService("wf-0").WithReference(database, "nodedb").WaitFor(database).WithReference(gateway);
        await using var app = await builder.BuildAsync();
        await app.StartOrDescribeAsync();

        var env = await app.GetEnvironmentAsync("wf-0");

        Assert.Equal("wf-0", env["OTEL_SERVICE_NAME"]);
        await using (var connection = new NpgsqlConnection(env["ConnectionStrings__nodedb"]))
        {
            await connection.OpenAsync();
            Assert.Equal("wf-0", connection.Database);
        }

        using var http = new HttpClient();
        var gatewayUrl = env["services__gateway__http__0"];
        Assert.Equal(app.GetEndpoint("gateway").ToString().TrimEnd('/'), gatewayUrl);
        Assert.Equal("Healthy", await http.GetStringAsync(new Uri(gatewayUrl + "/health")));
    }

    [Fact]
    public async Task The_artifacts_server_serves_files_from_its_folder()
    {
        var folder = Directory.CreateTempSubdirectory("creaspire-artifacts-");
        await File.WriteAllBytesAsync(Path.Combine(folder.FullName, "workflow.wasm"), [0x00, 0x61, 0x73, 0x6d]);
        var builder = TestApp.CreateBuilder();
        var artifacts = builder.AddArtifactsServer("artifacts", folder.FullName);
        builder.AddTestService("enclave").WithReference(artifacts);
        await using var app = await builder.BuildAsync();
        await app.StartOrDescribeAsync();

        var env = await app.GetEnvironmentAsync("enclave");
        using var http = new HttpClient();
        var bytes = await http.GetByteArrayAsync(new Uri(env["services__artifacts__http__0"] + "/workflow.wasm"));

        Assert.Equal(new byte[] { 0x00, 0x61, 0x73, 0x6d }, bytes);
        folder.Delete(recursive: true);
    }
}
