using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using CreAspire.Hosting.Testing;

// Kept in the namespace it had in Chain/Testing, so test and benchmark call sites stay as they were.
namespace CreAspire.Chain.Testing;

/// <summary>
/// A throw-away Anvil for tests and benchmarks, run by the AppHost's Anvil integration (AddAnvil, under DCP): a free port on
/// 127.0.0.1, chain id 1337 by default, ready when eth_chainId answers; stopped on dispose.
/// </summary>
public sealed class AnvilProcess : IAsyncDisposable
{
    private readonly DistributedApplication _app;

    private AnvilProcess(DistributedApplication app, string rpcUrl, ulong chainId)
    {
        _app = app;
        RpcUrl = rpcUrl;
        ChainId = chainId;
        Port = new Uri(rpcUrl).Port;
    }

    public string RpcUrl { get; }

    public int Port { get; }

    public ulong ChainId { get; }

    public static async Task<AnvilProcess> StartAsync(CancellationToken cancellationToken, ulong chainId = 1337, TimeSpan? startTimeout = null)
    {
        var builder = TestApp.CreateBuilder();
        var anvil = builder.AddAnvil("anvil", (long)chainId);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(startTimeout ?? TestApp.StartTimeout);
        var app = await TestApp.StartAsync(builder, "anvil", timeout.Token).ConfigureAwait(false);
        var url = await anvil.Resource.ConnectionStringExpression.GetValueAsync(cancellationToken).ConfigureAwait(false);
        return new AnvilProcess(app, url!, chainId);
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();
}
