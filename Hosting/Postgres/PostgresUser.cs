using CreAspire.Hosting.Processes;

namespace CreAspire.Hosting.Postgres;

/// <summary>Postgres refuses to run as root: as root, the server runs as 'postgres' (or 'nobody') owning its data folder.</summary>
internal static partial class PostgresUser
{
    public static UnprivilegedUser? ForCurrentProcess()
    {
        if (!PosixSignals.IsRoot)
        {
            return null;
        }

        if (!ChildProcessLauncher.HasParentDeathSignal)
        {
            throw new DistributedApplicationException(
                "The Postgres resource cannot run as root and 'setpriv' (util-linux) was not found to drop privileges; install util-linux or run as a normal user.");
        }

        return FindUser("postgres") ?? FindUser("nobody")
            ?? throw new DistributedApplicationException("The Postgres resource needs an unprivileged user ('postgres' or 'nobody') when run as root; neither exists.");
    }

    /// <summary>Creates the data folder (0700, owned by the user) and checks every parent folder lets that user through.</summary>
    public static void PrepareDirectory(string dataDirectory, UnprivilegedUser? user)
    {
        Directory.CreateDirectory(dataDirectory);
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        File.SetUnixFileMode(dataDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (user is null)
        {
            return;
        }

        Chown(dataDirectory, user);
        foreach (var file in Directory.EnumerateFileSystemEntries(dataDirectory, "*", SearchOption.AllDirectories))
        {
            Chown(file, user);
        }

        for (var parent = Path.GetDirectoryName(dataDirectory); parent is not null; parent = Path.GetDirectoryName(parent))
        {
            if ((File.GetUnixFileMode(parent) & UnixFileMode.OtherExecute) == 0)
            {
                throw new DistributedApplicationException(
                    $"The Postgres data folder '{dataDirectory}' is not reachable by user '{user.User}': '{parent}' is not traversable (o+x). " +
                    "Choose a run directory under a world-traversable folder such as /tmp, or chmod o+x that folder.");
            }
        }
    }

    private static void Chown(string path, UnprivilegedUser user)
    {
        if (NativeMethods.Chown(path, user.Uid, user.Gid) != 0)
        {
            throw new DistributedApplicationException($"Could not give '{path}' to user '{user.User}' (chown failed).");
        }
    }

    private static UnprivilegedUser? FindUser(string name)
    {
        if (!File.Exists("/etc/passwd"))
        {
            return null;
        }

        var fields = File.ReadLines("/etc/passwd").Select(l => l.Split(':')).FirstOrDefault(f => f.Length > 3 && f[0] == name);
        return fields is null
            ? null
            : new UnprivilegedUser(name, fields[3], int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture),
                int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture));
    }

    private static partial class NativeMethods
    {
        [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "chown", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
        public static partial int Chown(string path, int owner, int group);
    }
}
