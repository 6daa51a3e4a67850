using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using CreAspire.Protocol.Workflows;
using Npgsql;

namespace CreAspire.EndToEnd.Tests;

/// <summary>What the fault scenarios do to a running topology: kill, stop and start resources, look into Postgres, fire on some nodes.</summary>
public static class FaultTools
{
    /// <summary>The pool bound every node's data source has (ServiceDefaults' NodeDatabaseExtensions.MaxPoolSize).</summary>
    public const int MaxPoolSize = 3;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The process id DCP reports for a running executable resource.</summary>
    public static async Task<int> PidAsync(this CreApp app, string resource, int notPid = 0)
    {
        using var timeout = new CancellationTokenSource(CreApp.DefaultTimeout);
        var running = await app.App.ResourceNotifications.WaitForResourceAsync(resource,
            e => e.Snapshot.State?.Text == KnownResourceStates.Running && Pid(e.Snapshot) is { } pid && pid != notPid, timeout.Token);
        return Pid(running.Snapshot)!.Value;
    }

    /// <summary>kill -9 of the resource's process; returns once DCP has seen it exit.</summary>
    public static async Task<int> KillAsync(this CreApp app, string resource)
    {
        var pid = await app.PidAsync(resource);
        using (var process = Process.GetProcessById(pid))
        {
            process.Kill(); // SIGKILL on Unix
        }

        await app.WaitForStoppedAsync(resource);
        return pid;
    }

    /// <summary>The dashboard's Stop command; returns once the resource has exited.</summary>
    public static async Task StopAsync(this CreApp app, string resource)
    {
        var stopped = await app.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand);
        Assert.True(stopped.Success, $"stop {resource}: {stopped.Message}");
        await app.WaitForStoppedAsync(resource);
    }

    /// <summary>The dashboard's Start command (on a stopped or killed resource); returns once the command is accepted.</summary>
    public static async Task StartAsync(this CreApp app, string resource)
    {
        var started = await app.ExecuteCommandAsync(resource, KnownResourceCommands.StartCommand);
        Assert.True(started.Success, $"start {resource}: {started.Message}");
    }

    /// <summary>Starts the resource again if a failed scenario left it stopped (what each scenario's finally calls).</summary>
    public static async Task EnsureRunningAsync(this CreApp app, string resource)
    {
        string[] settled = [KnownResourceStates.Running, KnownResourceStates.Exited, KnownResourceStates.Finished, KnownResourceStates.FailedToStart];
        using (var timeout = new CancellationTokenSource(CreApp.DefaultTimeout))
        {
            var now = await app.App.ResourceNotifications.WaitForResourceAsync(resource, e => settled.Contains(e.Snapshot.State?.Text), timeout.Token);
            if (now.Snapshot.State?.Text == KnownResourceStates.Running)
            {
                return;
            }
        }

        await app.StartAsync(resource);
        using var started = new CancellationTokenSource(CreApp.DefaultTimeout);
        await app.App.ResourceNotifications.WaitForResourceAsync(resource, KnownResourceStates.Running, started.Token);
    }

    /// <summary>The names of the relay nodes (relay-0, relay-1, ...).</summary>
    public static IReadOnlyList<string> RelayNodes(this CreApp app) =>
        app.Model.Resources.OfType<ServiceExecutableResource>().Select(r => r.Name).Where(n => n.StartsWith("relay-", StringComparison.Ordinal)).ToList();

    public static async Task WaitForStoppedAsync(this CreApp app, string resource)
    {
        using var timeout = new CancellationTokenSource(CreApp.DefaultTimeout);
        await app.App.ResourceNotifications.WaitForResourceAsync(resource, [KnownResourceStates.Exited, KnownResourceStates.Finished], timeout.Token);
    }

    public static async Task WaitForHealthyAsync(this CreApp app, string resource)
    {
        using var timeout = new CancellationTokenSource(CreApp.DefaultTimeout);
        await app.App.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
    }

    /// <summary>Fires the workflow's cron trigger on <paramref name="nodes"/> only, for one scheduled time; returns the execution id.</summary>
    public static async Task<string> FireOnAsync(this CreApp app, IEnumerable<string> nodes, string workflowId, DateTimeOffset scheduled)
    {
        var at = Uri.EscapeDataString(scheduled.ToString("O", CultureInfo.InvariantCulture));
        var eventIds = await Task.WhenAll(nodes.Select(async node =>
        {
            using var response = await app.PostAsync(node, $"workflows/{workflowId}/fire?scheduledTime={at}");
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, $"fire on {node} answered {(int)response.StatusCode}: {body}");
            return JsonDocument.Parse(body).RootElement.GetProperty("triggerEventId").GetString()!;
        }));
        return WorkflowIds.ExecutionId(workflowId, Assert.Single(eventIds.Distinct()));
    }

    /// <summary>A scheduled time (whole seconds) that no earlier fire in this test run used.</summary>
    public static DateTimeOffset NextScheduledTime()
    {
        var next = Interlocked.Increment(ref s_scheduled);
        return DateTimeOffset.UnixEpoch.AddSeconds(next);
    }

    // Ten days back: never the current second, which CreApp.FireAsync uses.
    private static long s_scheduled = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 864_000;

    /// <summary>The execution as <paramref name="node"/> records it (null: not recorded).</summary>
    public static async Task<JsonElement?> ExecutionAsync(this CreApp app, string node, string workflowId, string executionId)
    {
        using var client = app.App.CreateHttpClient(node, "http");
        var executions = await client.GetFromJsonAsync<JsonElement>($"executions?workflow_id={workflowId}", Json);
        return executions.EnumerateArray().Where(e => e.GetProperty("executionId").GetString() == executionId).Select(e => (JsonElement?)e.Clone()).FirstOrDefault();
    }

    /// <summary>Every execution of the workflow on <paramref name="node"/>, as (id, status).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ExecutionStatusesAsync(this CreApp app, string node, string workflowId)
    {
        using var client = app.App.CreateHttpClient(node, "http");
        var executions = await client.GetFromJsonAsync<JsonElement>($"executions?workflow_id={workflowId}", Json);
        return executions.EnumerateArray().ToDictionary(e => e.GetProperty("executionId").GetString()!, e => e.GetProperty("status").GetString()!);
    }

    /// <summary>True when GET <paramref name="path"/> on <paramref name="resource"/> answers 2xx.</summary>
    public static async Task<bool> AnswersAsync(this CreApp app, string resource, string path)
    {
        using var client = app.App.CreateHttpClient(resource, "http");
        using var response = await client.GetAsync(path);
        return response.IsSuccessStatusCode;
    }

    /// <summary>Waits until each of <paramref name="nodes"/> has recorded the execution as finished; returns the records.</summary>
    public static async Task<IReadOnlyDictionary<string, JsonElement>> WaitForFinishedOnAsync(
        this CreApp app, IEnumerable<string> nodes, string workflowId, string executionId, TimeSpan? timeout = null)
    {
        var finished = new Dictionary<string, JsonElement>();
        var list = nodes.ToList();
        await Eventually.WaitAsync($"execution {executionId} finished on {string.Join(", ", list)}", async () =>
        {
            foreach (var node in list.Where(n => !finished.ContainsKey(n)))
            {
                if (await app.ExecutionAsync(node, workflowId, executionId) is { } e && e.GetProperty("status").GetString() != "started")
                {
                    finished[node] = e;
                }
            }

            return finished.Count == list.Count;
        }, timeout ?? CreApp.DefaultTimeout);
        return finished;
    }

    public static void AssertAllSucceeded(IReadOnlyDictionary<string, JsonElement> finished) =>
        Assert.All(finished, e => Assert.True(e.Value.GetProperty("status").GetString() == "succeeded", $"{e.Key}: {e.Value.GetProperty("error")}"));

    /// <summary>An unpooled connection string to the Postgres server (database 'postgres'), or to one node's database.</summary>
    public static async Task<string> PostgresAsync(this CreApp app, string? database = null)
    {
        var server = await app.App.GetConnectionStringAsync(database is null ? "postgres" : database + "-db");
        return new NpgsqlConnectionStringBuilder(database is null ? server + ";Database=postgres" : server) { Pooling = false, Timeout = 2 }.ConnectionString;
    }

    /// <summary>True once the server accepts a connection and answers SELECT 1.</summary>
    public static async Task<bool> PostgresAcceptsAsync(string connectionString)
    {
        try
        {
            await using var connection = new NpgsqlConnection(connectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync();
            return true;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>The server's processes by kind: client backends per database (not counting this query's own), and all backends.</summary>
    public static async Task<PostgresBackends> BackendsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT backend_type, coalesce(datname, ''), count(*) FROM pg_stat_activity WHERE pid <> pg_backend_pid() GROUP BY 1, 2", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var clients = new Dictionary<string, int>(StringComparer.Ordinal);
        var all = 1; // this query's own backend
        while (await reader.ReadAsync())
        {
            var count = (int)reader.GetInt64(2);
            all += count;
            if (reader.GetString(0) == "client backend")
            {
                clients[reader.GetString(1)] = clients.GetValueOrDefault(reader.GetString(1)) + count;
            }
        }

        return new PostgresBackends(clients, all);
    }

    /// <summary>Milliseconds from <paramref name="since"/> until <paramref name="condition"/> holds (polled every 20 ms, with a deadline).</summary>
    public static async Task<double> MillisecondsUntilAsync(string what, long since, Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            try
            {
                if (await condition())
                {
                    return Stopwatch.GetElapsedTime(since).TotalMilliseconds;
                }
            }
            catch (HttpRequestException)
            {
                // not yet
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
    }

    private static int? Pid(CustomResourceSnapshot snapshot) =>
        snapshot.Properties.FirstOrDefault(p => p.Name == "executable.pid")?.Value is { } value
            ? Convert.ToInt32(value, CultureInfo.InvariantCulture)
            : null;
}

/// <summary>Client backends per database, and every backend the server runs (its own auxiliary processes included).</summary>
public sealed record PostgresBackends(IReadOnlyDictionary<string, int> ClientsByDatabase, int All)
{
    public int Clients => ClientsByDatabase.Values.Sum();

    public override string ToString() =>
        $"{All} backends, {Clients} client backends ({string.Join(", ", ClientsByDatabase.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}: {p.Value}"))})";
}
