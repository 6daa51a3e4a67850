using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace CreAspire.EndToEnd.Tests;

/// <summary>
/// A screenshot of a page that renders after load (the Aspire dashboard is a Blazor app: a plain `chromium --screenshot`
/// catches it empty), taken with Debian's headless Chromium driven over the DevTools protocol: open each URL in turn,
/// wait until the page's text holds every expected string, capture a PNG. Chromium is stopped whatever happens.
/// </summary>
public static class ChromiumScreenshot
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    /// <param name="login">Opened first; done once the browser has left its path (e.g. the dashboard's /login?t=token, which
    /// sets the cookie and goes on to the home page).</param>
    /// <param name="page">Opened next and captured.</param>
    /// <param name="expected">Strings the page's text must contain before the capture.</param>
    public static async Task TakeAsync(Uri login, Uri page, IReadOnlyList<string> expected, string pngPath, int width = 1600, int height = 1800)
    {
        var profile = Directory.CreateTempSubdirectory("creaspire-chromium-").FullName;
        var info = new ProcessStartInfo("chromium") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var arg in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--remote-debugging-port=0",
                     $"--user-data-dir={profile}", $"--window-size={width},{height}", "about:blank",
                 })
        {
            info.ArgumentList.Add(arg);
        }

        using var chromium = Process.Start(info) ?? throw new InvalidOperationException("chromium did not start (apt-get install chromium)");
        using var deadline = new CancellationTokenSource(Timeout);
        try
        {
            var browser = await DevToolsUrlAsync(chromium, deadline.Token);
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            var targets = JsonNode.Parse(await http.GetStringAsync(new Uri($"http://{browser.Authority}/json/list"), deadline.Token))!.AsArray();
            var target = targets.First(t => (string?)t!["type"] == "page")!["webSocketDebuggerUrl"]!.GetValue<string>();
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(target), deadline.Token);
            var session = new Session(socket);
            await session.CallAsync("Page.enable", new JsonObject(), deadline.Token);
            await session.CallAsync("Page.navigate", new JsonObject { ["url"] = login.ToString() }, deadline.Token);
            await WaitForAsync(session, $"document.readyState === 'complete' && location.pathname !== {JsonSerializer.Serialize(login.AbsolutePath)}", deadline.Token);
            await session.CallAsync("Page.navigate", new JsonObject { ["url"] = page.ToString() }, deadline.Token);
            var condition = string.Join(" && ", expected.Select(e => $"document.body.innerText.includes({JsonSerializer.Serialize(e)})"));
            await WaitForAsync(session, $"document.body !== null && {condition}", deadline.Token);
            var shot = await session.CallAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" }, deadline.Token);
            await File.WriteAllBytesAsync(pngPath, Convert.FromBase64String(shot["data"]!.GetValue<string>()), deadline.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"the page {page} did not show [{string.Join(", ", expected)}] within {Timeout.TotalSeconds} s");
        }
        finally
        {
            if (!chromium.HasExited)
            {
                chromium.Kill(entireProcessTree: true);
                await chromium.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            }

            try
            {
                Directory.Delete(profile, recursive: true);
            }
            catch (IOException)
            {
                // Chromium may still hold a lock file for a moment; a leftover temp profile is harmless.
            }
        }
    }

    /// <summary>Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID" on stderr.</summary>
    private static async Task<Uri> DevToolsUrlAsync(Process chromium, CancellationToken cancellationToken)
    {
        const string Marker = "DevTools listening on ";
        var seen = new StringBuilder();
        while (await chromium.StandardError.ReadLineAsync(cancellationToken) is { } line)
        {
            seen.AppendLine(line);
            if (line.StartsWith(Marker, StringComparison.Ordinal))
            {
                _ = chromium.StandardError.ReadToEndAsync(CancellationToken.None); // keep draining
                return new Uri(line[Marker.Length..].Trim());
            }
        }

        throw new InvalidOperationException($"chromium exited without a DevTools endpoint:\n{seen}");
    }

    /// <summary>Evaluates <paramref name="expression"/> in the page until it is true, re-asking every 250 ms.</summary>
    private static async Task WaitForAsync(Session session, string expression, CancellationToken cancellationToken)
    {
        while (true)
        {
            var result = await session.CallAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true }, cancellationToken);
            if (result["result"]?["value"] is JsonValue value && value.TryGetValue<bool>(out var done) && done)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
        }
    }

    /// <summary>One DevTools connection: numbered calls, each answered by the message with its id (events are skipped).</summary>
    private sealed class Session(ClientWebSocket socket)
    {
        private int _next;

        public async Task<JsonNode> CallAsync(string method, JsonObject parameters, CancellationToken cancellationToken)
        {
            var id = ++_next;
            var request = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters };
            await socket.SendAsync(Encoding.UTF8.GetBytes(request.ToJsonString()), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
            var buffer = new byte[64 * 1024];
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer, cancellationToken);
                    if (received.MessageType == WebSocketMessageType.Close)
                    {
                        throw new InvalidOperationException($"chromium closed the DevTools connection during {method}");
                    }

                    message.Write(buffer, 0, received.Count);
                }
                while (!received.EndOfMessage);

                var answer = JsonNode.Parse(message.ToArray())!;
                if ((int?)answer["id"] != id)
                {
                    continue;
                }

                if (answer["error"] is { } error)
                {
                    throw new InvalidOperationException($"DevTools {method} failed: {error.ToJsonString()}");
                }

                return answer["result"]!;
            }
        }
    }
}
