using System.Text;
using Aspire.Hosting.Testing;
using CreAspire.Hosting.Run;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CreAspire.EndToEnd.Tests;

/// <summary>
/// The default topology started by the real AppHost (as <see cref="CreApp"/> starts it), with its explorer resource, plus
/// Debian's Chromium driven by Playwright (Playwright cannot download browsers here; .ci/run installs chromium through apt).
/// Everything is stopped when the class is done, also after a failure.
/// </summary>
public sealed class ExplorerTopologyApp : CreApp, IAsyncLifetime
{
    public static readonly TimeSpan PageTimeout = TimeSpan.FromSeconds(90);

    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The explorer's base URL as the AppHost published it (its endpoint in the dashboard).</summary>
    public Uri ExplorerUrl => new(Endpoint("explorer").ToString().TrimEnd('/') + "/");

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(120) };

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await App.ResourceNotifications.WaitForResourceHealthyAsync("explorer", timeout.Token);
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath(),
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        try
        {
            if (Browser is not null)
            {
                await Browser.DisposeAsync();
            }

            _playwright?.Dispose();
            Http.Dispose();
        }
        finally
        {
            await DisposeAsync();
        }
    }

    /// <summary>A fresh page (own context) on the explorer, once its Blazor circuit is interactive.</summary>
    public async Task<IPage> OpenAsync(string path, int height = 1000)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = ExplorerUrl.ToString(), ViewportSize = new ViewportSize { Width = 1500, Height = height } });
        context.SetDefaultTimeout((float)PageTimeout.TotalMilliseconds);
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        await page.Locator("[data-interactive=true]").WaitForAsync();
        return page;
    }

    /// <summary>What the explorer logged lately (for failure messages).</summary>
    public string ExplorerLog()
    {
        var text = new StringBuilder();
        foreach (var line in App.Services.GetRequiredService<ResourceLogTail>().LastLines("explorer", 30))
        {
            text.AppendLine(line);
        }

        return text.ToString();
    }

    private static string ChromiumPath() =>
        File.Exists("/usr/bin/chromium")
            ? "/usr/bin/chromium"
            : throw new InvalidOperationException("The explorer's browser tests drive Debian's Chromium at /usr/bin/chromium: install it with `apt-get install -y chromium` (.ci/run does).");
}
