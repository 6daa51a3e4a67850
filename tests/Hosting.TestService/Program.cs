// Behaviour is driven by environment variables so tests can script it:
//   TEST_EXIT_CODE=n          write a line to stderr and exit with n right after start
//   TEST_HEALTH_DELAY_MS=n    /health answers 503 for the first n ms
//   TEST_HEALTH_FAIL_FILE=p   /health answers 503 while file p exists
using System.Collections;
using System.Diagnostics;

var started = Stopwatch.StartNew();
if (int.TryParse(Environment.GetEnvironmentVariable("TEST_EXIT_CODE"), out var exitCode))
{
    Console.WriteLine("test service starting");
    Console.Error.WriteLine($"test service failing on purpose with exit code {exitCode}");
    return exitCode;
}

var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
var app = builder.Build();
var delay = int.TryParse(Environment.GetEnvironmentVariable("TEST_HEALTH_DELAY_MS"), out var ms) ? ms : 0;
var failFile = Environment.GetEnvironmentVariable("TEST_HEALTH_FAIL_FILE");

app.MapGet("/health", () =>
    started.ElapsedMilliseconds < delay || (failFile is { Length: > 0 } && File.Exists(failFile))
        ? Results.Text("Unhealthy", statusCode: 503)
        : Results.Text("Healthy"));
app.MapGet("/alive", () => Results.Text("Healthy"));
app.MapGet("/env", () => Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
    .ToDictionary(e => (string)e.Key, e => (string?)e.Value));

Console.WriteLine($"test service listening on {Environment.GetEnvironmentVariable("ASPNETCORE_URLS")}");
await app.RunAsync();
return 0;
