namespace CreAspire.Hosting;

/// <summary>How the app runs: where it writes, which dashboard port it uses, and how long it waits.</summary>
public sealed class DistributedApplicationOptions
{
    public const int DefaultDashboardPort = 18888;

    public string[] Args { get; set; } = [];

    /// <summary>Dashboard port on 127.0.0.1; 0 picks a free port; null disables the dashboard.</summary>
    public int? DashboardPort { get; set; } = DefaultDashboardPort;

    /// <summary>Folder of this run (logs, Postgres data); default: a new folder under the temp directory.</summary>
    public string? RunDirectory { get; set; }

    /// <summary>Keep the run's data folder (Postgres data) after stopping; by default only the logs stay.</summary>
    public bool KeepData { get; set; }

    /// <summary>Folder that relative project and executable paths are resolved against (default: the repository's AppHost folder).</summary>
    public string? AppHostDirectory { get; set; }

    /// <summary>How long one resource may take from launch to healthy (or a setup step to finish).</summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a resource may wait for its dependencies.</summary>
    public TimeSpan DependencyTimeout { get; set; } = TimeSpan.FromSeconds(120);

    /// <summary>How long a process gets to exit after SIGTERM/SIGINT before it is killed.</summary>
    public TimeSpan StopTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Health probe period before a resource is first healthy (after that, <see cref="HealthProbeInterval"/>).</summary>
    public TimeSpan StartupProbeInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan HealthProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether StartAsync returns only when every resource is healthy or finished (and throws when one fails).</summary>
    public bool WaitForResourcesOnStart { get; set; } = true;

    /// <summary>Print "Dashboard: &lt;url&gt;" when the dashboard starts.</summary>
    public bool PrintDashboardUrl { get; set; } = true;

    /// <summary>Echo every resource's console lines to the AppHost's console.</summary>
    public bool EchoResourceLogs { get; set; }
}
