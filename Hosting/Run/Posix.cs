using System.Runtime.InteropServices;

namespace CreAspire.Hosting.Run;

/// <summary>The few POSIX calls the integrations need: who we are, who our parent is, and changing a file's owner.</summary>
internal static partial class Posix
{
    public static bool IsRoot => !OperatingSystem.IsWindows() && GetEuid() == 0;

    public static int ParentProcessId => OperatingSystem.IsWindows() ? 0 : GetPpid();

    public static bool Chown(string path, int uid, int gid) => ChownCore(path, uid, gid) == 0;

    [LibraryImport("libc", EntryPoint = "getppid")]
    private static partial int GetPpid();

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial int GetEuid();

    [LibraryImport("libc", EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ChownCore(string path, int owner, int group);
}

/// <summary>A user (and group) a process is dropped to when the AppHost runs as root.</summary>
internal sealed record UnprivilegedUser(string User, int Uid, int Gid)
{
    /// <summary>'postgres', else 'nobody', from /etc/passwd; null when neither exists.</summary>
    public static UnprivilegedUser? Find(params string[] names)
    {
        if (!File.Exists("/etc/passwd"))
        {
            return null;
        }

        var entries = File.ReadLines("/etc/passwd").Select(l => l.Split(':')).Where(f => f.Length > 3).ToList();
        foreach (var name in names)
        {
            if (entries.FirstOrDefault(f => f[0] == name) is { } fields)
            {
                return new UnprivilegedUser(name, int.Parse(fields[2], System.Globalization.CultureInfo.InvariantCulture),
                    int.Parse(fields[3], System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return null;
    }
}
