using System.Net.Sockets;
using CreAspire.Hosting.Testing;
using CreAspire.NativeTools;

namespace CreAspire.Hosting.Tests;

/// <summary>What each integration declares: resources, endpoints, arguments, health checks, connection strings. Nothing starts.</summary>
public sealed class IntegrationModelTests
{
    [Fact]
    public void AddEmbeddedPostgres_declares_an_executable_on_the_chosen_port_with_a_health_check_and_its_data_folder()
    {
        var builder = TestApp.CreateBuilder();

        var postgres = builder.AddEmbeddedPostgres("postgres", port: 25432);

        var endpoint = Assert.Single(postgres.Resource.Annotations.OfType<EndpointAnnotation>());
        Assert.Equal((25432, 25432, false, ProtocolType.Tcp), (endpoint.Port, endpoint.TargetPort, endpoint.IsProxied, endpoint.Protocol));
        Assert.Equal("postgres_check", Assert.Single(postgres.Resource.Annotations.OfType<HealthCheckAnnotation>()).Key);
        Assert.Contains("/creaspire/run-", postgres.Resource.DataDirectory, StringComparison.Ordinal);
        Assert.EndsWith("/data/postgres", postgres.Resource.DataDirectory, StringComparison.Ordinal);
        Assert.Equal("Host=127.0.0.1;Port={postgres.bindings.tcp.port};Username=postgres", postgres.Resource.ConnectionStringExpression.ValueExpression);
        Assert.True(postgres.Resource.TryGetLastAnnotation<ManifestPublishingCallbackAnnotation>(out _)); // excluded from the manifest
    }

    [Fact]
    public void AddDatabase_adds_a_child_whose_connection_string_extends_the_server_s()
    {
        var builder = TestApp.CreateBuilder();
        var postgres = builder.AddEmbeddedPostgres("postgres");

        var database = postgres.AddDatabase("wf-0-db", "wf-0");

        Assert.Same(postgres.Resource, database.Resource.Parent);
        Assert.Equal("{postgres.connectionString};Database=wf-0", database.Resource.ConnectionStringExpression.ValueExpression);
        Assert.Equal("wf-0", postgres.Resource.Databases["wf-0-db"]);
        Assert.Equal("wf-0-db_check", Assert.Single(database.Resource.Annotations.OfType<HealthCheckAnnotation>()).Key);
    }

    [Theory]
    [InlineData("wf 0")]
    [InlineData("db;drop")]
    [InlineData("naïve")]
    public void A_database_name_outside_letters_digits_dash_and_underscore_is_rejected(string name)
    {
        var builder = TestApp.CreateBuilder();
        var postgres = builder.AddEmbeddedPostgres("postgres");

        var ex = Assert.Throws<ArgumentException>(() => postgres.AddDatabase("db", name));

        Assert.StartsWith($"The database name '{name}' may hold only ASCII letters, digits, '-' and '_'.", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void ResourceNameCannotBeOmitted(string name)
    {
        var builder = TestApp.CreateBuilder();

        Assert.Throws<ArgumentException>(() => builder.AddEmbeddedPostgres(name));
        Assert.Throws<ArgumentException>(() => builder.AddAnvil(name));
        Assert.Throws<ArgumentException>(() => builder.AddSetupStep(name, (_, _) => Task.CompletedTask));
        Assert.Throws<ArgumentNullException>(() => builder.AddAnvil(null!));
    }

    [Fact]
    public void AddAnvil_runs_the_npm_binary_on_its_port_with_the_chain_id_and_a_chain_id_health_check()
    {
        var builder = TestApp.CreateBuilder();

        var anvil = builder.AddAnvil("anvil", chainId: 31337, port: 28545);

        Assert.Equal(NativeToolPaths.Anvil, anvil.Resource.Command);
        var args = anvil.Resource.Annotations.OfType<CommandLineArgsCallbackAnnotation>().ToList();
        Assert.NotEmpty(args);
        Assert.Equal(31337, anvil.Resource.ChainId);
        Assert.Equal("anvil_check", Assert.Single(anvil.Resource.Annotations.OfType<HealthCheckAnnotation>()).Key);
        Assert.Equal("http://127.0.0.1:{anvil.bindings.http.port}", anvil.Resource.ConnectionStringExpression.ValueExpression);
        var endpoint = Assert.Single(anvil.Resource.Annotations.OfType<EndpointAnnotation>());
        Assert.Equal((28545, 28545, false), (endpoint.Port, endpoint.TargetPort, endpoint.IsProxied));
    }

    [Fact]
    public void AddAnvilContainer_runs_anvil_from_the_Foundry_image_on_port_8545()
    {
        var builder = TestApp.CreateBuilder();

        var anvil = builder.AddAnvilContainer("anvil");

        var image = Assert.Single(anvil.Resource.Annotations.OfType<ContainerImageAnnotation>());
        Assert.Equal((AnvilBuilderExtensions.Image, AnvilBuilderExtensions.ImageTag), ($"{image.Registry}/{image.Image}".TrimStart('/'), image.Tag));
        Assert.Equal("anvil", anvil.Resource.Entrypoint);
        Assert.Equal(8545, Assert.Single(anvil.Resource.Annotations.OfType<EndpointAnnotation>()).TargetPort);
        Assert.Equal("anvil_check", Assert.Single(anvil.Resource.Annotations.OfType<HealthCheckAnnotation>()).Key);
    }

    [Fact]
    public void A_setup_step_starts_NotStarted_and_names_itself_when_an_output_is_read_too_early()
    {
        var builder = TestApp.CreateBuilder();

        var step = builder.AddSetupStep("contracts", (_, _) => Task.CompletedTask);

        var initial = Assert.Single(step.Resource.Annotations.OfType<ResourceSnapshotAnnotation>()).InitialSnapshot;
        Assert.Equal((SetupStepBuilderExtensions.ResourceType, KnownResourceStates.NotStarted), (initial.ResourceType, initial.State?.Text));
        var ex = Assert.Throws<DistributedApplicationException>(() => step.Resource.GetOutput("WorkflowRegistry"));
        Assert.Equal("The 'contracts' resource has no output 'WorkflowRegistry'. Outputs exist once it finished; wait with WaitForCompletion(contracts).", ex.Message);
    }

    [Fact]
    public async Task A_service_runs_its_built_executable_with_an_http_endpoint_OTLP_a_small_gen0_budget_and_a_health_check_and_shows_as_a_Project()
    {
        var builder = TestApp.CreateBuilder();
        var project = Path.Combine(NativeToolPaths.RepositoryRoot, "Gateway", "CreAspire.Gateway.csproj");

        var gateway = builder.AddServiceExecutable("gateway", project, port: 29004);

        Assert.EndsWith("/Gateway/bin/Debug/net10.0/CreAspire.Gateway", gateway.Resource.Command, StringComparison.Ordinal);
        Assert.Equal(project, gateway.Resource.ProjectPath);
        var endpoint = Assert.Single(gateway.Resource.Annotations.OfType<EndpointAnnotation>());
        Assert.Equal((29004, 29004, false, "http"), (endpoint.Port, endpoint.TargetPort, endpoint.IsProxied, endpoint.UriScheme));
        Assert.True(gateway.Resource.TryGetLastAnnotation<OtlpExporterAnnotation>(out _));
        Assert.Equal("gateway_http_health_check", Assert.Single(gateway.Resource.Annotations.OfType<HealthCheckAnnotation>()).Key);
        Assert.Equal("Project", Assert.Single(gateway.Resource.Annotations.OfType<ResourceSnapshotAnnotation>()).InitialSnapshot.ResourceType);
#pragma warning disable CS0618 // the simplest read of a model's environment (as in AppHost.Tests' TopologyModelTests)
        var environment = await gateway.Resource.GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);
#pragma warning restore CS0618
        Assert.Equal("0x200000", environment["DOTNET_GCgen0size"]);
        Assert.Equal("http://127.0.0.1:29004", environment["ASPNETCORE_URLS"]);
    }

    [Fact]
    public void The_artifacts_server_is_a_custom_resource_with_a_fixed_http_endpoint_and_a_health_check()
    {
        var builder = TestApp.CreateBuilder();

        var artifacts = builder.AddArtifactsServer("artifacts", Path.GetTempPath(), port: 29003);

        var endpoint = Assert.Single(artifacts.Resource.Annotations.OfType<EndpointAnnotation>());
        Assert.Equal((29003, 29003, false), (endpoint.Port, endpoint.TargetPort, endpoint.IsProxied));
        Assert.Equal("artifacts_check", Assert.Single(artifacts.Resource.Annotations.OfType<HealthCheckAnnotation>()).Key);
    }
}
