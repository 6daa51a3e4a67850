using CreAspire.Hosting.Testing;
using CreAspire.NativeTools;
using Npgsql;

namespace CreAspire.Hosting.Tests;

/// <summary>
/// A clone in a folder the Postgres user cannot enter (root's home, a <c>mktemp -d</c> folder): as root, the server's user
/// cannot read node_modules there, and initdb used to fail with "libicuuc.so.60: cannot open shared object file".
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PrivateFolderTests
{
    [Fact]
    public async Task Postgres_runs_from_a_node_modules_folder_inside_a_folder_only_its_owner_can_enter()
    {
        var source = Path.Combine(NativeToolPaths.NodeModules, "@embedded-postgres");
        var clone = Directory.CreateTempSubdirectory("creaspire-private-"); // 0700, like mktemp -d
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(clone.FullName));
        var nodeModules = Directory.CreateDirectory(Path.Combine(clone.FullName, "node_modules")).FullName;
        using (var copy = System.Diagnostics.Process.Start("cp", ["-a", source, nodeModules])!)
        {
            await copy.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
            Assert.Equal(0, copy.ExitCode);
        }

        var previous = Environment.GetEnvironmentVariable(NativeToolPaths.NodeModulesVariable);
        Environment.SetEnvironmentVariable(NativeToolPaths.NodeModulesVariable, nodeModules);
        try
        {
            Assert.StartsWith(clone.FullName, NativeToolPaths.PostgresBinDirectory, StringComparison.Ordinal);
            await using var server = await PostgresTestServer.StartAsync();

            await using var connection = new NpgsqlConnection(await server.CreateDatabaseAsync("private"));
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT current_setting('server_version_num')::int", connection);
            Assert.True((int)(await command.ExecuteScalarAsync())! >= 180000);
        }
        finally
        {
            Environment.SetEnvironmentVariable(NativeToolPaths.NodeModulesVariable, previous);
            clone.Delete(recursive: true);
        }
    }
}
