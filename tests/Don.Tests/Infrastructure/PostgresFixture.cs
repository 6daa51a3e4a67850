using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CreAspire.NativeTools;
using Npgsql;

namespace CreAspire.Don.Tests.Infrastructure;

/// <summary>
/// A throw-away Postgres server: initdb into a temp dir, a free port, run unprivileged (setpriv as nobody) when the
/// test runs as root, stopped and deleted in DisposeAsync. Tests create one database per node.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private const string Nobody = "65534";
    private readonly string _root = Path.Combine(Path.GetTempPath(), "creaspire-don-pg-" + Guid.NewGuid().ToString("N")[..12]);
    private Process? _server;
    private int _port;

    public string AdminConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Pooling=false";

    public async Task InitializeAsync()
    {
        var bin = NativeToolPaths.PostgresBinDirectory;
        var data = Path.Combine(_root, "data");
        Directory.CreateDirectory(data);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            await RunAsync("chown", ["-R", $"{Nobody}:{Nobody}", _root]);
        }

        await RunAsync(Unprivileged(asRoot, Path.Combine(bin, "initdb")), [.. UnprivilegedArgs(asRoot, Path.Combine(bin, "initdb")), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
        _port = FreePort();
        var start = new ProcessStartInfo(Unprivileged(asRoot, Path.Combine(bin, "postgres")))
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        foreach (var arg in UnprivilegedArgs(asRoot, Path.Combine(bin, "postgres")).Concat(["-D", data, "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-k", "", "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=300"]))
        {
            start.ArgumentList.Add(arg);
        }

        _server = Process.Start(start) ?? throw new InvalidOperationException("postgres did not start");
        _server.BeginErrorReadLine();
        _server.BeginOutputReadLine();
        await Wait.UntilAsync(async () =>
        {
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString);
                await connection.OpenAsync();
                return true;
            }
            catch (NpgsqlException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(30), "postgres to accept connections");
    }

    /// <summary>Creates a fresh database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={_port};Username=postgres;Database={name}";
    }

    public async Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill(entireProcessTree: true);
            await _server.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }

        _server?.Dispose();
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // a leftover temp dir must not fail the run
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Unprivileged(bool asRoot, string program) => asRoot ? "setpriv" : program;

    private static string[] UnprivilegedArgs(bool asRoot, string program) => asRoot ? [$"--reuid={Nobody}", $"--regid={Nobody}", "--clear-groups", program] : [];

    private static async Task RunAsync(string program, string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
