using System.Diagnostics;
using System.Runtime.InteropServices;
using CreAspire.Hosting.Dashboard;
using CreAspire.Hosting.Orchestration;

namespace CreAspire.Hosting;

/// <summary>A built app: starts every resource in dependency order, serves the dashboard, stops everything in reverse order.</summary>
public sealed class DistributedApplication : IAsyncDisposable
{
    private readonly string _appHostDirectory;
    private readonly List<ResourceSupervisor> _supervisors = [];
    private RunContext? _context;
    private DashboardServer? _dashboard;
    private readonly List<Action<Microsoft.AspNetCore.Routing.IEndpointRouteBuilder>> _dashboardExtensions = [];
    private int _stopped;

    private readonly int _parentAtBuild;

    internal DistributedApplication(DistributedApplicationModel model, DistributedApplicationOptions options, string appHostDirectory)
    {
        Model = model;
        Options = options;
        _appHostDirectory = appHostDirectory;
        _parentAtBuild = Processes.PosixSignals.ParentProcessId;
        RunDirectory = options.RunDirectory ?? Path.Combine(Path.GetTempPath(), "creaspire", $"run-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}");
        foreach (var resource in model.Resources)
        {
            ResourceNotifications.Register(resource, ResourceKinds.Of(resource), ResourceKinds.ParentOf(resource));
        }
    }

    public static IDistributedApplicationBuilder CreateBuilder(string[] args) => CreateBuilder(new DistributedApplicationOptions { Args = args });

    public static IDistributedApplicationBuilder CreateBuilder(DistributedApplicationOptions options) => new DistributedApplicationBuilder(options);

    public DistributedApplicationModel Model { get; }

    public DistributedApplicationOptions Options { get; }

    public ResourceNotificationService ResourceNotifications { get; } = new();

    /// <summary>Captured console output of every resource (available once started).</summary>
    public ResourceLoggerService ResourceLogs => _context?.Logs ?? throw new DistributedApplicationException("The app has not been started.");

    /// <summary>Logs (logs/&lt;resource&gt;.log) and data (data/&lt;resource&gt;) of this run.</summary>
    public string RunDirectory { get; }

    /// <summary>The dashboard URL, once started (null when the dashboard is disabled).</summary>
    public Uri? DashboardUrl => _dashboard?.Url;

    /// <summary>
    /// Adds endpoints to the dashboard server (like Aspire's dashboard commands): the AppHost maps domain actions such as
    /// deploying a sample workflow. Call before the app starts.
    /// </summary>
    public DistributedApplication MapDashboardApi(Action<Microsoft.AspNetCore.Routing.IEndpointRouteBuilder> map)
    {
        ArgumentNullException.ThrowIfNull(map);
        if (_dashboard is not null)
        {
            throw new DistributedApplicationException("Dashboard endpoints must be mapped before the app starts.");
        }

        _dashboardExtensions.Add(map);
        return this;
    }

    /// <summary>Starts every resource; with <see cref="DistributedApplicationOptions.WaitForResourcesOnStart"/>, returns once all are
    /// healthy or finished, and throws one <see cref="DistributedApplicationException"/> naming the resource that failed.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (_context is not null)
        {
            throw new DistributedApplicationException("The app has already been started.");
        }

        Directory.CreateDirectory(RunDirectory);
        _context = new RunContext(Model, Options, _appHostDirectory, RunDirectory, ResourceNotifications,
            new ResourceLoggerService(Path.Combine(RunDirectory, "logs")));
        new PortAllocator().AllocateEndpoints(Model.Resources);
        foreach (var resource in Model.Resources)
        {
            await ResourceNotifications.PublishUpdateAsync(resource, s => s with { Endpoints = ResourceKinds.EndpointsOf(resource) }).ConfigureAwait(false);
        }

        if (Options.DashboardPort is { } port)
        {
            _dashboard = await DashboardServer.StartAsync(port, ResourceNotifications, _context.Logs, _dashboardExtensions, cancellationToken).ConfigureAwait(false);
            if (Options.PrintDashboardUrl)
            {
                Console.WriteLine($"Dashboard: {_dashboard.Url}");
            }
        }

        _supervisors.AddRange(RunnerFactory.CreateSupervisors(_context));
        new HostedResourceStates(ResourceNotifications, _supervisors).Attach();
        foreach (var supervisor in _supervisors)
        {
            _ = supervisor.RunAsync();
        }

        if (Options.WaitForResourcesOnStart)
        {
            await new StartupMonitor(ResourceNotifications, _supervisors, Options).WaitUntilSettledAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops every resource, dependents before their dependencies (SIGTERM/SIGINT, then kill after the stop timeout).</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1)
        {
            return;
        }

        foreach (var group in DependencyGraph.StopOrder(_supervisors.Select(s => s.Resource).ToList()))
        {
            await Task.WhenAll(_supervisors.Where(s => group.Contains(s.Resource)).Select(s => s.StopAsync()))
                .WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_dashboard is not null)
        {
            await _dashboard.DisposeAsync().ConfigureAwait(false);
        }

        if (_context is not null)
        {
            await _context.Logs.DisposeAsync().ConfigureAwait(false);
            _context.ProbeClient.Dispose();
            DeleteDataUnlessKept();
        }
    }

    private void DeleteDataUnlessKept()
    {
        var data = Path.Combine(RunDirectory, "data");
        if (Options.KeepData || !Directory.Exists(data))
        {
            return;
        }

        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"Could not delete the run's data folder '{data}': {ex.Message}");
        }
    }

    /// <summary>Starts the app (unless already started), and runs until SIGINT/SIGTERM or cancellation; then stops everything.</summary>
    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        // The parent as it was when the app was built: if it died before RunAsync (e.g. between a READY line and this
        // call), the host is already re-parented and the watchdog must still see the change.
        using var parent = new Processes.ParentProcessWatchdog(_parentAtBuild);
        using var shutdown = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, parent.ParentGone);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        var clock = Stopwatch.StartNew();
        try
        {
            if (_context is null)
            {
                await StartAsync(shutdown.Token).ConfigureAwait(false);
                Console.WriteLine($"All {Model.Resources.Count} resources are up in {clock.Elapsed.TotalSeconds:0.0} s.");
            }

            Console.WriteLine($"Logs and data: {RunDirectory}. Press Ctrl+C to stop.");
            await Task.Delay(Timeout.Infinite, shutdown.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            Console.WriteLine("Stopping...");
        }
        finally
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
        }

        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            shutdown.Cancel();
        }
    }

    /// <summary>Runs the app; a start failure is printed (one message naming the resource) and sets exit code 1.</summary>
    public void Run()
    {
        try
        {
            RunAsync().GetAwaiter().GetResult();
        }
        catch (DistributedApplicationException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Environment.ExitCode = 1;
        }
    }

    /// <summary>Every resource's state and last log lines, for test failure output.</summary>
    public string DescribeResources(int logLines = 10) => ResourceReport.Describe(ResourceNotifications, _context?.Logs, logLines);

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
