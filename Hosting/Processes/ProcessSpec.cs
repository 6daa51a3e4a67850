namespace CreAspire.Hosting.Processes;

/// <summary>What to launch: a file, its arguments and environment, and optionally the unprivileged user to run as.</summary>
internal sealed record ProcessSpec(
    string FileName,
    IReadOnlyList<string> Args,
    IReadOnlyDictionary<string, string> Environment,
    string WorkingDirectory,
    UnprivilegedUser? RunAs = null,
    int StopSignal = PosixSignals.SIGTERM);

/// <summary>A user (and group) a child process is dropped to when the host runs as root.</summary>
internal sealed record UnprivilegedUser(string User, string Group, int Uid, int Gid);

internal static partial class PosixSignals
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    public static bool IsRoot => !OperatingSystem.IsWindows() && GetEuid() == 0;

    public static bool Send(int pid, int signal) => Kill(pid, signal) == 0;

    public static int ParentProcessId => OperatingSystem.IsWindows() ? 0 : GetPpid();

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "getppid")]
    private static partial int GetPpid();

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Kill(int pid, int signal);

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial int GetEuid();
}
