using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Aspire.Hosting;
using CreAspire.Hosting.Run;
using CreAspire.NativeTools;
using Microsoft.Extensions.Logging;

namespace CreAspire.Hosting.Postgres;

/// <summary>
/// Where the Postgres binaries run from and as whom. Postgres refuses to run as root, so as root the server runs as 'postgres'
/// (or 'nobody') through <c>setpriv</c> (which execs, so DCP tracks postgres itself). That user must read the binaries and
/// their libraries: when the repository sits in a folder it cannot enter (root's home, a <c>mktemp -d</c> folder), the npm
/// package's <c>native</c> folder is copied once to a world-readable place under the shared temp folder.
/// </summary>
internal sealed class PostgresInstallation
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<PostgresInstallation>> ByBinaries = new(StringComparer.Ordinal);

    private PostgresInstallation(string binDirectory, UnprivilegedUser? user)
    {
        BinDirectory = binDirectory;
        User = user;
    }

    /// <summary>The installation of the Postgres binaries <see cref="NativeToolPaths"/> finds now (CREASPIRE_NODE_MODULES may move them).</summary>
    public static PostgresInstallation ForThisProcess
    {
        get
        {
            var binaries = NativeToolPaths.PostgresBinDirectory;
            return ByBinaries.GetOrAdd(binaries, b => new Lazy<PostgresInstallation>(() => Resolve(b))).Value;
        }
    }

    public string BinDirectory { get; }

    /// <summary>The user the server runs as when the AppHost is root; null when it runs as the current user.</summary>
    public UnprivilegedUser? User { get; }

    public string Command => User is null ? Path.Combine(BinDirectory, "postgres") : "setpriv";

    /// <summary>
    /// Arguments before the server's own: the setpriv prefix when dropping root, which also sets the parent-death signal
    /// (SIGINT, Postgres's fast shutdown; see <see cref="ParentDeathSignal"/>). As the current user the resource is wrapped
    /// like every executable (<see cref="ParentDeathSignal.UseParentDeathSignals"/>).
    /// </summary>
    public IReadOnlyList<string> CommandPrefix => User is null
        ? []
        : [$"--reuid={User.Uid}", $"--regid={User.Gid}", "--init-groups", .. ParentDeathSignal.SetprivArguments(ParentDeathSignalName), "--", Path.Combine(BinDirectory, "postgres")];

    /// <summary>The signal Postgres gets when DCP dies: SIGINT, fast shutdown (rolls back open transactions, exits at once).</summary>
    public const string ParentDeathSignalName = "INT";

    /// <summary>
    /// Gives <paramref name="dataDirectory"/> an initialized cluster: a copy of a template cluster (initdb costs seconds on a busy
    /// machine, the copy a fraction), made once per Postgres build and owner. Does nothing when the folder already holds one.
    /// </summary>
    public async Task PrepareDataDirectoryAsync(string dataDirectory, ILogger log, CancellationToken cancellationToken)
    {
        PrepareOwnedDirectory(dataDirectory);
        if (File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            log.LogInformation("Using the existing cluster in {DataDirectory}.", dataDirectory);
            return;
        }

        var template = TemplateFolder();
        if (!File.Exists(Path.Combine(template, "PG_VERSION")))
        {
            var initializing = $"{template}-{Guid.NewGuid():N}";
            PrepareOwnedDirectory(initializing);
            log.LogInformation("Initializing a template cluster (initdb) in {Template}.", template);
            await RunAsync(Path.Combine(BinDirectory, "initdb"),
                ["-D", initializing, "-U", EmbeddedPostgresNames.UserName, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions"],
                dropPrivileges: true, log, cancellationToken).ConfigureAwait(false);
            try
            {
                Directory.Move(initializing, template);
            }
            catch (IOException) when (File.Exists(Path.Combine(template, "PG_VERSION")))
            {
                Directory.Delete(initializing, recursive: true); // another AppHost won the race: fine
            }
        }

        await RunAsync("cp", ["-a", template + "/.", dataDirectory], dropPrivileges: false, log, cancellationToken).ConfigureAwait(false);
        log.LogInformation("Data folder {DataDirectory} prepared from the template cluster.", dataDirectory);
    }

    /// <summary>Creates the folder (0700, owned by the server's user) and checks that user can reach it.</summary>
    public void PrepareOwnedDirectory(string directory)
    {
        Directory.CreateDirectory(directory);
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        if (User is null)
        {
            return;
        }

        if (SharedFolders.FirstUntraversableParent(directory) is { } blocked)
        {
            throw new DistributedApplicationException(
                $"The Postgres data folder '{directory}' is not reachable by user '{User.User}': '{blocked}' is not traversable (o+x). " +
                "Choose a run folder under a world-traversable folder such as /tmp (--run-dir), or chmod o+x that folder.");
        }

        foreach (var path in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories).Prepend(directory))
        {
            if (!Posix.Chown(path, User.Uid, User.Gid))
            {
                throw new DistributedApplicationException($"Could not give '{path}' to user '{User.User}' (chown failed).");
            }
        }
    }

    private string TemplateFolder()
    {
        var postgres = Path.Combine(BinDirectory, "postgres");
        var key = Hash($"{postgres}|{File.GetLastWriteTimeUtc(postgres):O}|{User?.Uid}");
        return Path.Combine(SharedFolders.Create(Path.Combine(SharedFolders.Root, "postgres-template")), key);
    }

    private async Task RunAsync(string file, IReadOnlyList<string> args, bool dropPrivileges, ILogger log, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        if (dropPrivileges && User is not null)
        {
            info.FileName = "setpriv";
            foreach (var arg in new[] { $"--reuid={User.Uid}", $"--regid={User.Gid}", "--init-groups", "--", file })
            {
                info.ArgumentList.Add(arg);
            }
        }
        else
        {
            info.FileName = file;
        }

        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info) ?? throw new DistributedApplicationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var text = (await output.ConfigureAwait(false) + await error.ConfigureAwait(false)).Trim();
        if (process.ExitCode != 0)
        {
            foreach (var line in text.Split('\n'))
            {
                log.LogError("{Line}", line);
            }

            throw new DistributedApplicationException(
                $"{Path.GetFileName(file)} exited with code {process.ExitCode}: {text.Split('\n').LastOrDefault(l => l.Trim().Length > 0)?.Trim()}");
        }
    }

    private static PostgresInstallation Resolve(string source)
    {
        if (!Posix.IsRoot)
        {
            return new PostgresInstallation(source, null);
        }

        var user = UnprivilegedUser.Find("postgres", "nobody")
            ?? throw new DistributedApplicationException("The Postgres resource needs an unprivileged user ('postgres' or 'nobody') when run as root; neither exists.");
        return new PostgresInstallation(ReadableCopyOf(source), user);
    }

    /// <summary>The npm package's native folder (bin, lib, share) as a world-readable copy, unless the original already is one.</summary>
    private static string ReadableCopyOf(string binDirectory)
    {
        var native = Path.GetDirectoryName(Path.GetFullPath(binDirectory))!;
        if (SharedFolders.FirstUntraversableParent(Path.Combine(binDirectory, "postgres")) is null)
        {
            return binDirectory;
        }

        var postgres = Path.Combine(binDirectory, "postgres");
        var copy = Path.Combine(SharedFolders.Root, "postgres-" + Hash($"{native}|{File.GetLastWriteTimeUtc(postgres):O}|{new FileInfo(postgres).Length}"));
        if (File.Exists(Path.Combine(copy, ".complete")))
        {
            return Path.Combine(copy, Path.GetFileName(binDirectory));
        }

        SharedFolders.Create(Path.GetDirectoryName(copy)!);
        var staging = $"{copy}-{Guid.NewGuid():N}";
        using (var cp = Process.Start(new ProcessStartInfo("cp", ["-a", native, staging]) { UseShellExecute = false }))
        {
            cp!.WaitForExit();
            if (cp.ExitCode != 0)
            {
                throw new DistributedApplicationException($"Could not copy the Postgres binaries from '{native}' to '{staging}' (cp exited with {cp.ExitCode}).");
            }
        }

        using (var chmod = Process.Start(new ProcessStartInfo("chmod", ["-R", "a+rX", staging]) { UseShellExecute = false }))
        {
            chmod!.WaitForExit();
        }

        File.WriteAllText(Path.Combine(staging, ".complete"), native);
        try
        {
            Directory.Move(staging, copy);
        }
        catch (IOException) when (File.Exists(Path.Combine(copy, ".complete")))
        {
            Directory.Delete(staging, recursive: true);
        }

        return Path.Combine(copy, Path.GetFileName(binDirectory));
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];
}
