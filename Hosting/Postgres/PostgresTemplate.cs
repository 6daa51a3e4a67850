using System.Security.Cryptography;
using System.Text;
using CreAspire.Hosting.Processes;
using CreAspire.NativeTools;

namespace CreAspire.Hosting.Postgres;

/// <summary>
/// A freshly initdb'd cluster kept under the temp folder (one per Postgres build and owner), copied into each run's data folder:
/// initdb costs seconds on a busy machine, a copy a fraction of that. The first run (or a new Postgres version) runs initdb.
/// </summary>
internal static class PostgresTemplate
{
    public static string Folder(UnprivilegedUser? user)
    {
        var bin = NativeToolPaths.PostgresBinDirectory;
        var key = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{bin}|{File.GetLastWriteTimeUtc(Path.Combine(bin, "postgres")):O}|{user?.Uid}")))[..16];
        return Path.Combine(Path.GetTempPath(), "creaspire", "postgres-template", key.ToLowerInvariant());
    }

    public static bool Exists(string folder) => File.Exists(Path.Combine(folder, "PG_VERSION"));

    /// <summary>Moves a just-initialized cluster into place; another app may have won the race, which is fine.</summary>
    public static void Publish(string initialized, string folder)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(folder)!);
        try
        {
            Directory.Move(initialized, folder);
        }
        catch (IOException) when (Exists(folder))
        {
            Directory.Delete(initialized, recursive: true);
        }
    }
}
