using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using CreAspire.Chain.Deployment;
using CreAspire.Chain.Testing;
using CreAspire.Operations.Registry;
using Microsoft.Playwright;

namespace CreAspire.Explorer.Tests;

/// <summary>
/// One explorer process for the test run, as the AppHost would start it (its built executable, configured through the
/// environment), over a real Anvil with the registries deployed and the <see cref="FakeTopology"/>; plus Debian's Chromium
/// driven by Playwright. Everything it starts is stopped in <see cref="DisposeAsync"/>, also after a failure.
/// </summary>
public sealed class ExplorerFixture : IAsyncLifetime
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly StringBuilder _output = new();
    private Process? _explorer;
    private IPlaywright? _playwright;

    public AnvilProcess Anvil { get; private set; } = null!;

    public DeployedRegistries Registries { get; private set; } = null!;

    public ChainRegistry Registry { get; private set; } = null!;

    public FakeTopology Topology { get; private set; } = null!;

    public string ArtifactsFolder { get; } = Directory.CreateTempSubdirectory("creaspire-explorer-artifacts-").FullName;

    public Uri BaseUrl { get; private set; } = null!;

    public string DashboardUrl => "http://dashboard.invalid:18888";

    public IBrowser Browser { get; private set; } = null!;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(90) };

    /// <summary>What the explorer printed so far (for failure messages).</summary>
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

    public async Task InitializeAsync()
    {
        Anvil = await AnvilProcess.StartAsync(CancellationToken.None);
        Registries = await RegistryDeployer.DeployAsync(Anvil.RpcUrl, TopologySpec.CreateDefault(), CancellationToken.None);
        Registry = new ChainRegistry(new ChainRegistryOptions(Anvil.RpcUrl, Registries.WorkflowRegistry, Registries.CapabilitiesRegistry));
        Topology = await FakeTopology.StartAsync(Registry);
        BaseUrl = new Uri($"http://127.0.0.1:{FreePort()}/");
        StartExplorer();
        await WaitHealthyAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>A fresh page (own context, so no state leaks between tests) on the explorer, ready once the circuit is interactive.</summary>
    public async Task<IPage> OpenAsync(string path, int height = 1000)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = BaseUrl.ToString(), ViewportSize = new ViewportSize { Width = 1500, Height = height } });
        context.SetDefaultTimeout((float)Timeout.TotalMilliseconds);
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        await page.Locator("[data-interactive=true]").WaitForAsync();
        return page;
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_explorer is { HasExited: false })
        {
            _explorer.Kill(entireProcessTree: true);
            await _explorer.WaitForExitAsync();
        }

        _explorer?.Dispose();
        if (Topology is not null)
        {
            await Topology.DisposeAsync();
        }

        if (Anvil is not null)
        {
            await Anvil.DisposeAsync();
        }

        Http.Dispose();
        Directory.Delete(ArtifactsFolder, recursive: true);
    }

    private void StartExplorer()
    {
        var dll = ExplorerDll();
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = Path.GetDirectoryName(dll)! };
        info.ArgumentList.Add(dll);
        info.Environment["ASPNETCORE_URLS"] = BaseUrl.ToString().TrimEnd('/');
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["ConnectionStrings__chain"] = Anvil.RpcUrl;
        info.Environment["Chain__WorkflowRegistry"] = Registries.WorkflowRegistry;
        info.Environment["Chain__CapabilitiesRegistry"] = Registries.CapabilitiesRegistry;
        info.Environment["Explorer__ArtifactsFolder"] = ArtifactsFolder;
        info.Environment["Explorer__ArtifactsUrl"] = "http://127.0.0.1:9/artifacts/";
        info.Environment["Explorer__DashboardUrl"] = DashboardUrl;
        info.Environment["Explorer__NodeTimeout"] = "00:00:15";
        info.Environment.Remove("OTEL_EXPORTER_OTLP_ENDPOINT");
        foreach (var (key, value) in Topology.ExplorerEnvironment())
        {
            info.Environment[key] = value;
        }

        _explorer = Process.Start(info) ?? throw new InvalidOperationException("could not start the explorer");
        _explorer.OutputDataReceived += (_, e) => Append(e.Data);
        _explorer.ErrorDataReceived += (_, e) => Append(e.Data);
        _explorer.BeginOutputReadLine();
        _explorer.BeginErrorReadLine();
    }

    private async Task WaitHealthyAsync()
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            if (_explorer!.HasExited)
            {
                throw new InvalidOperationException($"The explorer exited with code {_explorer.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await Http.GetAsync(new Uri(BaseUrl, "health"));
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The explorer did not answer /health within {Timeout}:\n{Output}");
            }

            await Task.Delay(100);
        }
    }

    private void Append(string? line)
    {
        if (line is not null)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    /// <summary>The explorer's build output for this test run's configuration (tests/Explorer.Tests/bin/&lt;Configuration&gt;/net10.0).</summary>
    private static string ExplorerDll()
    {
        var here = new DirectoryInfo(AppContext.BaseDirectory);
        var configuration = here.Parent!.Name;
        var root = here;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "CreAspire.sln")))
        {
            root = root.Parent;
        }

        var dll = Path.Combine(root?.FullName ?? throw new InvalidOperationException("repository root not found"), "Explorer", "bin", configuration, "net10.0", "CreAspire.Explorer.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"The explorer is not built at {dll}; build tests/Explorer.Tests (it builds the explorer).");
    }

    private static string ChromiumPath() =>
        File.Exists("/usr/bin/chromium")
            ? "/usr/bin/chromium"
            : throw new InvalidOperationException("Chromium is not installed at /usr/bin/chromium; install Debian's package: apt-get install -y chromium (.ci/run does this).");

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class ExplorerCollection : ICollectionFixture<ExplorerFixture>
{
    public const string Name = "explorer";
}
