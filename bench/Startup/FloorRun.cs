using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using CreAspire.AppHost.Topology;
using CreAspire.Bench;
using Microsoft.Extensions.Configuration;
using Npgsql;

namespace CreAspire.Startup.Bench;

/// <summary>
/// The floor: the processes the AppHost ran, started directly by the bench with the same executables, arguments and
/// environment, in the same order of dependencies (postgres and anvil; fresh databases; the registries deployed by the same
/// deployer, so the addresses the services were given stay right; the services, relays once the gateway is healthy), until
/// each answers its health check. No AppHost, no DCP, no dashboard, no monitors.
/// </summary>
internal sealed record FloorRun(TimeSpan AllHealthy, MemorySample Idle)
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(2) };

    public static async Task<FloorRun> MeasureAsync(AspireRun aspire, string[] appHostArgs, TimeSpan settle)
    {
        var started = new List<(string Name, Process Process)>();
        var postgres = aspire.Launched.SingleOrDefault(p => Path.GetFileName(p.Executable) == "postgres")
            ?? throw new InvalidOperationException("No postgres among the processes the AppHost ran: " + string.Join(", ", aspire.Launched.Select(p => $"{p.Name} ({p.Executable})")));
        var anvil = aspire.Launched.Single(p => Path.GetFileName(p.Executable) == "anvil");
        var services = aspire.Launched.Except([postgres, anvil]).ToList();
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var ct = deadline.Token;
        var clock = Stopwatch.StartNew();
        try
        {
            started.Add((postgres.Name, Start(postgres)));
            started.Add((anvil.Name, Start(anvil)));
            var port = int.Parse(postgres.Arguments[postgres.Arguments.ToList().IndexOf("-p") + 1], CultureInfo.InvariantCulture);
            var admin = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres;Pooling=false;Timeout=2";
            var rpc = new Uri($"http://127.0.0.1:{anvil.Arguments[anvil.Arguments.ToList().IndexOf("--port") + 1]}");
            await Task.WhenAll(RecreateDatabasesAsync(admin, ct), DeployRegistriesAsync(rpc, appHostArgs, ct));

            var relays = services.Where(s => s.Name.StartsWith("relay-", StringComparison.Ordinal)).ToList();
            var first = services.Except(relays).ToList();
            started.AddRange(first.Select(s => (s.Name, Start(s))));
            if (first.FirstOrDefault(s => s.Name == "gateway") is { } gateway)
            {
                await WaitHealthyAsync(gateway, ct);
            }

            started.AddRange(relays.Select(s => (s.Name, Start(s))));
            await Task.WhenAll(services.Select(s => WaitHealthyAsync(s, ct)));
            var all = clock.Elapsed;
            await Task.Delay(settle, ct);
            return new FloorRun(all, TopologyMemory.SampleTrees(started.Select(s => (s.Name, s.Process.Id))));
        }
        finally
        {
            foreach (var (_, process) in started)
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }

            foreach (var (_, process) in started)
            {
                await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
                process.Dispose();
            }

            DeleteData(postgres);
        }
    }

    private static Process Start(LaunchedProcess launched)
    {
        var dropsRoot = launched.Uid != 0 && Environment.UserName == "root";
        var info = new ProcessStartInfo(dropsRoot ? "setpriv" : launched.Executable)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = launched.WorkingDirectory,
        };
        if (dropsRoot)
        {
            foreach (var arg in new[] { $"--reuid={launched.Uid}", $"--regid={launched.Gid}", "--init-groups", "--", launched.Executable })
            {
                info.ArgumentList.Add(arg);
            }
        }

        foreach (var arg in launched.Arguments)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Clear();
        foreach (var (key, value) in launched.Environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits for the server, then drops and recreates every node database (as the AppHost creates them, three at a time).</summary>
    private static async Task RecreateDatabasesAsync(string admin, CancellationToken ct)
    {
        List<string> databases;
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(admin);
                await connection.OpenAsync(ct);
                await using var list = new NpgsqlCommand("SELECT datname FROM pg_database WHERE datname NOT IN ('postgres', 'template0', 'template1')", connection);
                databases = [];
                await using var reader = await list.ExecuteReaderAsync(ct);
                while (await reader.ReadAsync(ct))
                {
                    databases.Add(reader.GetString(0));
                }

                break;
            }
            catch (NpgsqlException)
            {
                await Task.Delay(50, ct);
            }
        }

        using var gate = new SemaphoreSlim(3);
        await Task.WhenAll(databases.Select(async database =>
        {
            await gate.WaitAsync(ct);
            try
            {
                await using var connection = new NpgsqlConnection(admin);
                await connection.OpenAsync(ct);
                await using var drop = new NpgsqlCommand($"DROP DATABASE \"{database}\" WITH (FORCE)", connection);
                await drop.ExecuteNonQueryAsync(ct);
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
                await create.ExecuteNonQueryAsync(ct);
            }
            finally
            {
                gate.Release();
            }
        }));
    }

    private static async Task DeployRegistriesAsync(Uri rpc, string[] appHostArgs, CancellationToken ct)
    {
        var options = CreTopologyOptions.FromConfiguration(new ConfigurationBuilder().AddCommandLine(appHostArgs).Build());
        while (true)
        {
            try
            {
                using var response = await Http.PostAsJsonAsync(rpc, new { jsonrpc = "2.0", id = 1, method = "eth_chainId", @params = Array.Empty<object>() }, ct);
                if (response.IsSuccessStatusCode)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(50, ct);
        }

        await ChainRegistryDeployer.DeployAsync(new RegistryDeploymentRequest(rpc, 1337, CreTopology.Dons(options), _ => { }), options.Seed, ct);
    }

    private static async Task WaitHealthyAsync(LaunchedProcess service, CancellationToken ct)
    {
        var url = new Uri(service.Environment["ASPNETCORE_URLS"].TrimEnd('/') + "/health");
        while (true)
        {
            try
            {
                using var response = await Http.GetAsync(url, ct);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                // not up yet
            }

            await Task.Delay(50, ct);
        }
    }

    private static void DeleteData(LaunchedProcess postgres)
    {
        var data = postgres.Arguments[postgres.Arguments.ToList().IndexOf("-D") + 1];
        try
        {
            Directory.Delete(data, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"could not delete {data}: {ex.Message}");
        }
    }
}
