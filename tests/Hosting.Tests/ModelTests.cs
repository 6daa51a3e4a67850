using CreAspire.Hosting.Orchestration;

namespace CreAspire.Hosting.Tests;

/// <summary>App-model rules checked without starting anything.</summary>
public sealed class ModelTests
{
    [Fact]
    public void A_resource_cannot_wait_for_itself()
    {
        var builder = TestApp.CreateBuilder();
        var gateway = builder.AddTestService("gateway");

        var ex = Assert.Throws<DistributedApplicationException>(() => gateway.WaitFor(gateway));

        Assert.Equal("The 'gateway' resource cannot wait for itself.", ex.Message);
    }

    [Fact]
    public void A_database_cannot_wait_for_its_parent()
    {
        var builder = TestApp.CreateBuilder();
        var postgres = builder.AddPostgres("postgres");
        var database = postgres.AddDatabase("wf-0-db", "wf-0");

        var ex = Assert.Throws<DistributedApplicationException>(() => database.WaitFor(postgres));

        Assert.Equal("The 'wf-0-db' resource cannot wait for its parent 'postgres'.", ex.Message);
    }

    [Fact]
    public void Dependency_cycles_are_rejected_at_build()
    {
        var builder = TestApp.CreateBuilder();
        var a = builder.AddTestService("a");
        var b = builder.AddTestService("b");
        a.WaitFor(b);
        b.WaitFor(a);

        var ex = Assert.Throws<DistributedApplicationException>(() => builder.Build());

        Assert.Equal("The resources form a dependency cycle: 'a' -> 'b' -> 'a'.", ex.Message);
    }

    [Fact]
    public void Resource_names_are_unique()
    {
        var builder = TestApp.CreateBuilder();
        builder.AddTestService("gateway");

        var ex = Assert.Throws<DistributedApplicationException>(() => builder.AddAnvil("gateway"));

        Assert.Contains("with name 'gateway' because resource of type 'ProjectResource' with that name already exists", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("1node")]
    [InlineData("has space")]
    public void Invalid_resource_names_are_rejected(string name)
    {
        var builder = TestApp.CreateBuilder();

        Assert.ThrowsAny<ArgumentException>(() => builder.AddAnvil(name));
    }

    [Fact]
    public void Http_health_check_needs_an_endpoint()
    {
        var builder = TestApp.CreateBuilder();
        var service = builder.AddProject("svc", TestApp.TestServiceProject);

        var ex = Assert.Throws<DistributedApplicationException>(() => service.WithHttpHealthCheck("/health"));

        Assert.Equal("The 'svc' resource has no endpoint named 'http'; call WithHttpEndpoint before WithHttpHealthCheck.", ex.Message);
    }

    [Fact]
    public async Task Environment_follows_Aspire_conventions()
    {
        var builder = TestApp.CreateBuilder();
        var postgres = builder.AddPostgres("postgres");
        var database = postgres.AddDatabase("wf-0-db", "wf-0");
        var anvil = builder.AddAnvil("anvil");
        var gateway = builder.AddTestService("gateway");
        var node = builder.AddTestService("wf-0")
                          .WithReference(database, "nodedb").WithReference(anvil, "chain").WithReference(gateway)
                          .WithEnvironment("Node__Name", "wf-0")
                          .WithEnvironment(context => context.EnvironmentVariables["Computed"] = "at start");
        new PortAllocator().AllocateEndpoints(builder.Resources);

        var env = await EnvironmentResolver.ResolveAsync(node.Resource, CancellationToken.None);

        Assert.Equal($"Host=127.0.0.1;Port={postgres.Resource.Port};Username=postgres;Database=wf-0", env["ConnectionStrings__nodedb"]);
        Assert.Equal(anvil.Resource.GetEndpoint().ToString().TrimEnd('/'), env["ConnectionStrings__chain"]);
        Assert.Equal(gateway.Resource.GetEndpoint().ToString().TrimEnd('/'), env["services__gateway__http__0"]);
        Assert.Equal(node.Resource.GetEndpoint().ToString().TrimEnd('/'), env["ASPNETCORE_URLS"]);
        Assert.Equal("wf-0", env["OTEL_SERVICE_NAME"]);
        Assert.Equal("wf-0", env["Node__Name"]);
        Assert.Equal("at start", env["Computed"]);
        Assert.False(env.ContainsKey("OTEL_EXPORTER_OTLP_ENDPOINT"));
    }

    [Fact]
    public void Stop_order_puts_dependents_before_their_dependencies()
    {
        var builder = TestApp.CreateBuilder();
        var postgres = builder.AddPostgres("postgres");
        var database = postgres.AddDatabase("db");
        var gateway = builder.AddTestService("gateway").WithReference(database).WaitFor(database);
        var relay = builder.AddTestService("relay").WaitFor(gateway);

        var order = DependencyGraph.StopOrder(builder.Resources).Select(g => g.Single().Name).ToList();

        Assert.Equal(["relay", "gateway", "db", "postgres"], order);
    }

    [Fact]
    public void Setup_outputs_are_unavailable_before_the_step_finished()
    {
        var builder = TestApp.CreateBuilder();
        var setup = builder.AddSetup("contracts", (_, _) => Task.CompletedTask);

        var ex = Assert.Throws<DistributedApplicationException>(() => setup.Resource.GetOutput("WorkflowRegistry"));

        Assert.StartsWith("The 'contracts' resource has no output 'WorkflowRegistry'.", ex.Message, StringComparison.Ordinal);
    }
}
