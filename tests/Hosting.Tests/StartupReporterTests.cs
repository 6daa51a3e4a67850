using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using CreAspire.Hosting.Run;
using CreAspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CreAspire.Hosting.Tests;

/// <summary>The start-up report names the resource that failed, with its reason and its last log lines.</summary>
public sealed class StartupReporterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task An_executable_that_exits_is_named_with_its_exit_code_and_last_log_lines()
    {
        // Like a service: it has a health check, so it is not up until that answers (it exits first).
        var port = FreePorts.Next();
        var (app, reporter, logs) = await StartAsync(b => b
            .AddExecutable("broken", "sh", Path.GetTempPath(), "-c", "echo 'cannot bind 127.0.0.1:5432' >&2; sleep 1; exit 3")
            .WithHttpEndpoint(port: port, targetPort: port, isProxied: false).WithHttpHealthCheck("/health"));
        await using (app)
        {
            var outcome = await reporter.Outcome.WaitAsync(Timeout);

            Assert.False(outcome.Succeeded);
            Assert.Equal("The 'broken' resource failed: it exited with code 3 before the app was up.", outcome.Message);
            Assert.Contains(logs.LastLines("broken"), l => l.Contains("cannot bind 127.0.0.1:5432", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task A_setup_step_that_throws_is_named_with_its_reason_and_its_dependents_do_not_start()
    {
        var (app, reporter, _) = await StartAsync(b =>
        {
            var step = b.AddSetupStep("contracts", (_, _) => throw new InvalidOperationException("anvil refused the deployment"));
            b.AddExecutable("wf-0", "sleep", Path.GetTempPath(), "300").WaitForCompletion(step);
        });
        await using (app)
        {
            var outcome = await reporter.Outcome.WaitAsync(Timeout);

            Assert.Equal("The 'contracts' resource failed: anvil refused the deployment.", outcome.Message);
            Assert.Equal("contracts", outcome.FailedResource);
        }
    }

    [Fact]
    public async Task A_Postgres_that_cannot_prepare_its_data_folder_is_named_with_the_reason_in_its_log()
    {
        var (app, reporter, logs) = await StartAsync(b => b.AddEmbeddedPostgres("postgres").WithDataDirectory("/dev/null/data"));
        await using (app)
        {
            var outcome = await reporter.Outcome.WaitAsync(Timeout);

            Assert.False(outcome.Succeeded);
            Assert.StartsWith("The 'postgres' resource failed: ", outcome.Message, StringComparison.Ordinal);
            Assert.Contains(logs.LastLines("postgres"), l => l.Contains("The data folder '/dev/null/data' could not be prepared", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task When_every_resource_is_up_the_report_says_so_in_the_line_scripts_read()
    {
        var (app, reporter, _) = await StartAsync(b =>
        {
            var step = b.AddSetupStep("contracts", (context, _) =>
            {
                context.SetOutput("WorkflowRegistry", "0x00000000000000000000000000000000000000aa");
                return Task.CompletedTask;
            });
            b.AddExecutable("wf-0", "sleep", Path.GetTempPath(), "300").WaitForCompletion(step);
        });
        await using (app)
        {
            var outcome = await reporter.Outcome.WaitAsync(Timeout);

            Assert.True(outcome.Succeeded, outcome.Message);
            Assert.Matches(@"^All 2 resources are up in \d+\.\d s\.$", outcome.Message);
        }
    }

    [Fact]
    public async Task Once_every_resource_is_up_the_links_follow_the_line_scripts_read()
    {
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var explorerLine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new StartupReporterOptions
        {
            StopOnFailure = false,
            WriteError = _ => { },
            Write = line =>
            {
                lines.Enqueue(line);
                if (line.StartsWith("Explorer: ", StringComparison.Ordinal))
                {
                    explorerLine.TrySetResult();
                }
            },
        };
        options.Links.Add(("Dashboard", "http://localhost:18888"));
        options.Links.Add(("Explorer", "http://127.0.0.1:19006"));
        var builder = TestApp.CreateBuilder();
        builder.Services.AddSingleton(options);
        builder.AddRunReporting();
        builder.AddExecutable("wf-0", "sleep", Path.GetTempPath(), "300");
        await using var app = await builder.BuildAsync();
        _ = app.StartAsync();

        await explorerLine.Task.WaitAsync(Timeout);

        var written = lines.ToArray();
        var all = Array.FindIndex(written, l => l.StartsWith("All 1 resources are up", StringComparison.Ordinal));
        Assert.True(all >= 0, string.Join("\n", written));
        Assert.Equal(["Dashboard: http://localhost:18888", "Explorer: http://127.0.0.1:19006"], written[(all + 1)..(all + 3)]);
    }

    [Fact]
    public async Task A_start_that_stalls_still_says_what_it_waits_for_at_every_interval()
    {
        // A step that never ends sends no more resource events once it runs: progress must not depend on them.
        var lines = new System.Collections.Concurrent.ConcurrentQueue<string>();
        var threeLines = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var options = new StartupReporterOptions
        {
            StopOnFailure = false, WriteError = _ => { }, ProgressInterval = TimeSpan.FromMilliseconds(200),
            Write = line =>
            {
                lines.Enqueue(line);
                if (lines.Count(l => l.Contains(" resources up after ", StringComparison.Ordinal)) >= 3)
                {
                    threeLines.TrySetResult();
                }
            },
        };
        var builder = TestApp.CreateBuilder();
        builder.Services.AddSingleton(options);
        builder.AddRunReporting();
        var step = builder.AddSetupStep("contracts", (_, ct) => Task.Delay(System.Threading.Timeout.InfiniteTimeSpan, ct));
        builder.AddExecutable("wf-0", "sleep", Path.GetTempPath(), "300").WaitForCompletion(step);
        await using var app = await builder.BuildAsync();
        _ = app.StartAsync();

        await threeLines.Task.WaitAsync(Timeout);

        var last = lines.Last(l => l.Contains(" resources up after ", StringComparison.Ordinal));
        Assert.Matches(@"^0 of 2 resources up after \d+ s; waiting for contracts \(.+\), wf-0 \(.+\)\.$", last);
    }

    [Fact]
    public async Task A_resource_that_a_later_start_handler_adds_and_hides_is_not_waited_for()
    {
        // Like Aspire's dashboard: added to the model by a BeforeStartEvent handler that runs after the reporter started,
        // and only then marked hidden. It never runs; the start must not wait for it.
        var builder = TestApp.CreateBuilder();
        builder.Services.AddSingleton(new StartupReporterOptions { StopOnFailure = false, Write = _ => { }, WriteError = _ => { } });
        builder.AddRunReporting();
        builder.AddExecutable("wf-0", "sleep", Path.GetTempPath(), "300");
        var reporterRunning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        builder.Eventing.Subscribe<BeforeStartEvent>(async (e, ct) =>
        {
            var hidden = new LateResource("late-dashboard");
            e.Model.Resources.Add(hidden);
            // The reporter runs in the background from the handler before this one: it may look at the model from now on.
            await e.Services.GetRequiredService<StartupReporter>().Started.WaitAsync(Timeout, ct);
            hidden.Annotations.Add(new ResourceSnapshotAnnotation(new CustomResourceSnapshot
            {
                ResourceType = "Dashboard", Properties = [], IsHidden = true,
            }));
            reporterRunning.TrySetResult();
        });
        await using var app = await builder.BuildAsync();
        var reporter = app.Services.GetRequiredService<StartupReporter>();
        _ = app.StartAsync();

        await reporterRunning.Task.WaitAsync(Timeout);
        var outcome = await reporter.Outcome.WaitAsync(Timeout);

        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.Matches(@"^All 1 resources are up in \d+\.\d s\.$", outcome.Message);
    }

    private sealed class LateResource(string name) : Resource(name);

    private static async Task<(DistributedApplication App, StartupReporter Reporter, ResourceLogTail Logs)> StartAsync(Action<IDistributedApplicationBuilder> declare)
    {
        var builder = TestApp.CreateBuilder();
        builder.Services.AddSingleton(new StartupReporterOptions { StopOnFailure = false, Write = _ => { }, WriteError = _ => { } });
        builder.AddRunReporting();
        declare(builder);
        var app = await builder.BuildAsync();
        var reporter = app.Services.GetRequiredService<StartupReporter>();
        _ = app.StartAsync(); // returns only once every wait is met: the report comes first
        return (app, reporter, app.Services.GetRequiredService<ResourceLogTail>());
    }
}
