namespace CreAspire.Hosting.Run;

/// <summary>
/// The machine-wide folder CreAspire keeps under the temp folder (run folders, the Postgres template cluster, a readable copy of
/// the Postgres binaries). It is created world-traversable (0755), so a process dropped to an unprivileged user reaches
/// what CreAspire puts there even when the repository itself lives in a folder only root can enter.
/// </summary>
internal static class SharedFolders
{
    public static string Root { get; } = Path.Combine(Path.GetTempPath(), "creaspire");

    /// <summary>Creates <paramref name="path"/> (and Root) with mode 0755 and returns it.</summary>
    public static string Create(string path)
    {
        var full = Path.GetFullPath(path);
        var missing = new Stack<string>();
        for (var dir = full; dir is not null && !Directory.Exists(dir); dir = Path.GetDirectoryName(dir))
        {
            missing.Push(dir);
        }

        foreach (var dir in missing)
        {
            Directory.CreateDirectory(dir);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
            }
        }

        return full;
    }

    /// <summary>The first folder on the way to <paramref name="path"/> that others cannot traverse (no o+x), or null.</summary>
    public static string? FirstUntraversableParent(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        for (var dir = Path.GetDirectoryName(Path.GetFullPath(path)); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (Directory.Exists(dir) && (File.GetUnixFileMode(dir) & UnixFileMode.OtherExecute) == 0)
            {
                return dir;
            }
        }

        return null;
    }
}
