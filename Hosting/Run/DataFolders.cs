namespace CreAspire.Hosting.Run;

/// <summary>Deletes a resource's data folder once its process is gone (postgres removes postmaster.pid when it exits).</summary>
internal static class DataFolders
{
    public static void DeleteWhenStopped(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        // ApplicationStopped callbacks are synchronous: wait (with a deadline) for postgres to finish exiting.
        SpinWait.SpinUntil(() => !File.Exists(Path.Combine(folder, "postmaster.pid")), TimeSpan.FromSeconds(5));

        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Could not delete the data folder '{folder}': {ex.Message} (the next start cleans it up).");
        }
    }
}
