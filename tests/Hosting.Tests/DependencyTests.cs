using CreAspire.Hosting.Testing;

namespace CreAspire.Hosting.Tests;

/// <summary>WaitFor / WaitForCompletion ordering and how failures are reported.</summary>
public sealed class DependencyTests
{
    [Fact]
    public async Task WaitFor_starts_the_dependent_only_after_the_dependency_is_healthy()
    {
        var builder = TestApp.CreateBuilder();
        var database = builder.AddTestService("database").WithEnvironment("TEST_HEALTH_DELAY_MS", "1500");
        builder.AddTestService("api").WaitFor(database);
        await using var app = await builder.BuildAsync();
        var recorder = new StateRecorder(app);

        await app.StartOrDescribeAsync();

        Assert.Equal([KnownResourceStates.Waiting, KnownResourceStates.Starting, KnownResourceStates.Running, KnownResourceStates.Healthy],
            recorder.StatesOf("api"));
        Assert.True(recorder.IndexOf("database", KnownResourceStates.Healthy) < recorder.IndexOf("api", KnownResourceStates.Starting));
    }

    [Fact]
    public async Task WaitForCompletion_passes_setup_outputs_to_the_dependent()
    {
        var builder = TestApp.CreateBuilder();
        var contracts = builder.AddSetup("contracts", async (context, ct) =>
        {
            await Task.Yield();
            context.SetOutput("WorkflowRegistry", "0x00000000000000000000000000000000000000aa");
        });
        builder.AddTestService("wf-0").WaitForCompletion(contracts)
               .WithOutputs(contracts, new Dictionary<string, string> { ["Chain__WorkflowRegistry"] = "WorkflowRegistry" });
        await using var app = await builder.BuildAsync();
        var recorder = new StateRecorder(app);

        await app.StartOrDescribeAsync();

        Assert.Equal(KnownResourceStates.Finished, app.ResourceNotifications.GetSnapshot("contracts").State);
        Assert.True(recorder.IndexOf("contracts", KnownResourceStates.Finished) < recorder.IndexOf("wf-0", KnownResourceStates.Starting));
        var env = await app.GetEnvironmentAsync("wf-0");
        Assert.Equal("0x00000000000000000000000000000000000000aa", env["Chain__WorkflowRegistry"]);
    }

    [Fact]
    public async Task A_failing_dependency_is_reported_by_name_with_exit_code_and_last_log_lines()
    {
        var builder = TestApp.CreateBuilder();
        var broken = builder.AddTestService("broken").WithEnvironment("TEST_EXIT_CODE", "3");
        builder.AddTestService("gateway").WaitFor(broken);
        await using var app = await builder.BuildAsync();

        var ex = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync().WaitAsync(TestApp.DefaultTimeout));

        Assert.StartsWith("The 'broken' resource failed to start: it exited with code 3 before it became healthy", ex.Message, StringComparison.Ordinal);
        Assert.Contains("test service failing on purpose with exit code 3", ex.Message, StringComparison.Ordinal);
        using var timeout = new CancellationTokenSource(TestApp.DefaultTimeout);
        var gateway = await app.ResourceNotifications.WaitForResourceAsync("gateway", KnownResourceStates.FailedToStart, timeout.Token);
        Assert.StartsWith("The 'gateway' resource did not start because its dependency 'broken' is FailedToStart, exit code 3: " +
                          "The 'broken' resource failed to start: it exited with code 3 before it became healthy", gateway.Message, StringComparison.Ordinal);
        Assert.EndsWith(".", gateway.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("..", gateway.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failing_setup_step_is_reported_with_its_reason()
    {
        var builder = TestApp.CreateBuilder();
        var contracts = builder.AddSetup("contracts", (_, _) => throw new InvalidOperationException("anvil refused the deployment"));
        builder.AddTestService("wf-0").WaitForCompletion(contracts);
        await using var app = await builder.BuildAsync();

        var ex = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync().WaitAsync(TestApp.DefaultTimeout));

        Assert.StartsWith("The 'contracts' resource failed: anvil refused the deployment", ex.Message, StringComparison.Ordinal);
        using var timeout = new CancellationTokenSource(TestApp.DefaultTimeout);
        var node = await app.ResourceNotifications.WaitForResourceAsync("wf-0", KnownResourceStates.FailedToStart, timeout.Token);
        Assert.Null(node.Pid);
        Assert.Equal("The 'wf-0' resource did not start because its dependency 'contracts' is FailedToStart: The 'contracts' resource failed: anvil refused the deployment.", node.Message);
    }

    [Fact]
    public async Task A_project_that_was_not_built_fails_with_the_build_command()
    {
        var folder = Directory.CreateTempSubdirectory("creaspire-unbuilt-");
        await File.WriteAllTextAsync(Path.Combine(folder.FullName, "Unbuilt.csproj"), "<Project Sdk=\"Microsoft.NET.Sdk\" />");
        var builder = TestApp.CreateBuilder();
        builder.AddProject("unbuilt", folder.FullName);
        await using var app = await builder.BuildAsync();

        var ex = await Assert.ThrowsAsync<DistributedApplicationException>(() => app.StartAsync().WaitAsync(TestApp.DefaultTimeout));

        Assert.StartsWith("The 'unbuilt' project has not been built:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("dotnet build", ex.Message, StringComparison.Ordinal);
        folder.Delete(recursive: true);
    }
}
