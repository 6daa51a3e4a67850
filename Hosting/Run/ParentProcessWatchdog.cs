using Microsoft.Extensions.Hosting;

namespace CreAspire.Hosting.Run;

/// <summary>
/// Stops the app when the process that started it dies (e.g. <c>dotnet run</c> killed with SIGTERM or SIGKILL: it does not pass
/// the signal on, so the AppHost would be re-parented and keep the whole topology running). DCP itself only watches the
/// AppHost. Checked once a second against the parent the process had at start.
/// </summary>
public sealed class ParentProcessWatchdog(IHostApplicationLifetime lifetime) : BackgroundService
{
    private readonly int _parent = Posix.ParentProcessId;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (OperatingSystem.IsWindows() || _parent <= 1)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            if (Posix.ParentProcessId != _parent)
            {
                Console.Error.WriteLine($"The process that started the AppHost ({_parent}) is gone; stopping.");
                lifetime.StopApplication();
                return;
            }
        }
    }
}
