using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CreAspire.Chain.Contracts;
using Nethereum.JsonRpc.Client;
using CreAspire.NativeTools;

namespace CreAspire.Chain.Testing;

/// <summary>
/// A throw-away Anvil for tests and benchmarks: free port on 127.0.0.1, its own temp HOME, chain id 1337 by default,
/// ready when eth_chainId answers; killed (with its process tree) on dispose.
/// </summary>
public sealed class AnvilProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _home;
    private readonly StringBuilder _output = new();

    private AnvilProcess(Process process, string home, int port, ulong chainId)
    {
        _process = process;
        _home = home;
        Port = port;
        ChainId = chainId;
        RpcUrl = $"http://127.0.0.1:{port}";
    }

    public string RpcUrl { get; }

    public int Port { get; }

    public ulong ChainId { get; }

    /// <summary>Anvil's output so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<AnvilProcess> StartAsync(CancellationToken cancellationToken, ulong chainId = 1337, TimeSpan? startTimeout = null)
    {
        var home = Directory.CreateTempSubdirectory("creaspire-anvil-").FullName;
        var port = FreePort();
        var info = new ProcessStartInfo(NativeToolPaths.Anvil)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = home,
        };
        foreach (var arg in new[] { "--host", "127.0.0.1", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--chain-id", chainId.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["HOME"] = home; // keeps ~/.foundry caches per instance
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {info.FileName}.");
        var anvil = new AnvilProcess(process, home, port, chainId);
        process.OutputDataReceived += (_, e) => anvil.Append(e.Data);
        process.ErrorDataReceived += (_, e) => anvil.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await anvil.WaitReadyAsync(startTimeout ?? TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
            return anvil;
        }
        catch
        {
            await anvil.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        finally
        {
            _process.Dispose();
            try
            {
                Directory.Delete(_home, recursive: true);
            }
            catch (IOException)
            {
                // best effort: a temp folder
            }
        }
    }

    private async Task WaitReadyAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var rpc = ChainClients.CreateRpcClient(RpcUrl);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"anvil exited with code {_process.ExitCode} before answering on {RpcUrl}: {Output}");
            }

            try
            {
                if (await ChainClients.GetChainIdAsync(rpc, deadline.Token).WaitAsync(TimeSpan.FromSeconds(2), deadline.Token).ConfigureAwait(false) == ChainId)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TimeoutException or RpcClientUnknownException or RpcClientTimeoutException)
            {
                // not listening yet
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await Task.Delay(25, deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        throw new TimeoutException($"anvil did not answer eth_chainId on {RpcUrl} within {timeout.TotalSeconds:0} s. Output: {Output}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 64_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
