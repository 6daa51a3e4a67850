using System.Diagnostics;

namespace CreAspire.Hosting.Run;

/// <summary>Whether a container runtime (docker or podman) is installed and its engine answers.</summary>
public static class ContainerRuntime
{
    public static bool IsHealthy()
    {
        foreach (var runtime in new[] { "docker", "podman" })
        {
            var path = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(dir => Path.Combine(dir, runtime)).FirstOrDefault(File.Exists);
            if (path is null)
            {
                continue;
            }

            try
            {
                using var process = Process.Start(new ProcessStartInfo(path, ["info", "--format", "{{.ServerVersion}}"])
                {
                    RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
                })!;
                if (process.WaitForExit(TimeSpan.FromSeconds(5)) && process.ExitCode == 0)
                {
                    return true;
                }

                if (!process.HasExited)
                {
                    process.Kill();
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not runnable
            }
        }

        return false;
    }
}
