namespace CreAspire.Hosting.Run;

/// <summary>Whether the process that left a pid in a file (a run folder's name, a port reservation) still runs.</summary>
internal static class OwnerProcess
{
    public static bool IsAlive(int pid)
    {
        if (OperatingSystem.IsLinux())
        {
            return Directory.Exists($"/proc/{pid}");
        }

        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
