using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using CreAspire.NativeTools;
using Npgsql;

namespace CreAspire.WorkflowNode.Tests;

/// <summary>
/// A real PostgreSQL server for the test run: initdb into a temp dir, postgres on a free loopback port. As root both run
/// as user nobody (setpriv), since Postgres refuses root. Each test gets its own database (<see cref="CreateDatabaseAsync"/>).
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"creaspire-wfnode-pg-{Guid.NewGuid():N}");
    private Process? _server;
    private int _port;

    public string AdminConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=postgres;Timeout=5;Pooling=false";

    public async Task InitializeAsync()
    {
        try
        {
            await StartAsync();
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    private async Task StartAsync()
    {
        var bin = NativeToolPaths.PostgresBinDirectory;
        var dataDir = Path.Combine(_root, "data");
        Directory.CreateDirectory(dataDir);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            // The unprivileged user must own the data dir and traverse its parents (/tmp is world-traversable).
            await RunAsync("chown", ["-R", "nobody:nogroup", _root], TimeSpan.FromSeconds(10));
        }

        await RunAsync(Unprivileged(asRoot, Path.Combine(bin, "initdb")), [.. UnprivilegedArgs(asRoot, Path.Combine(bin, "initdb")),
            "-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"], TimeSpan.FromSeconds(60));

        _port = FreePort();
        var start = new ProcessStartInfo(Unprivileged(asRoot, Path.Combine(bin, "postgres")))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[.. UnprivilegedArgs(asRoot, Path.Combine(bin, "postgres")), "-D", dataDir, "-p", _port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "-k", "", "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "max_connections=200"])
        {
            start.ArgumentList.Add(arg);
        }

        var log = new System.Text.StringBuilder();
        _server = Process.Start(start) ?? throw new InvalidOperationException("postgres did not start");
        _server.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        _server.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();

        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(AdminConnectionString);
                await connection.OpenAsync();
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < deadline && !_server.HasExited)
            {
                await Task.Delay(50);
            }
            catch (NpgsqlException ex)
            {
                string text;
                lock (log)
                {
                    text = log.ToString();
                }

                throw new InvalidOperationException($"postgres on port {_port} was not ready within {StartTimeout} (exited: {_server.HasExited}): {ex.Message}\n{text}", ex);
            }
        }
    }

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"wf_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
        await command.ExecuteNonQueryAsync();
        return $"Host=127.0.0.1;Port={_port};Username=postgres;Database={name};Timeout=5";
    }

    public async Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            // SIGINT = fast shutdown; kill hard if it does not stop in time.
            try
            {
                await RunAsync("kill", ["-INT", _server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(5));
            }
            catch (InvalidOperationException)
            {
                // Already gone between the check and the signal.
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await _server.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _server.Kill(entireProcessTree: true);
            }
        }

        _server?.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static string Unprivileged(bool asRoot, string exe) => asRoot ? "setpriv" : exe;

    private static string[] UnprivilegedArgs(bool asRoot, string exe) =>
        asRoot ? ["--reuid=nobody", "--regid=nogroup", "--clear-groups", exe] : [];

    private static async Task RunAsync(string file, string[] args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{file} did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await stdout}{await stderr}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}
