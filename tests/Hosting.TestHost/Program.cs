// Starts two long-running executables and the test service, prints "PIDS: a,b,c" then "READY", and runs until SIGINT/SIGTERM
// (then stops its children in order), until its parent dies, or until it is killed.
using CreAspire.Hosting;

var builder = DistributedApplication.CreateBuilder(new DistributedApplicationOptions { Args = args, DashboardPort = null });
builder.AddExecutable("sleeper-1", "sleep", ".", "300");
builder.AddExecutable("sleeper-2", "sleep", ".", "300");
builder.AddProject("service", "../tests/Hosting.TestService").WithHttpEndpoint().WithHttpHealthCheck("/health");

await using var app = builder.Build();

// Handle SIGINT/SIGTERM from before READY is printed: RunAsync installs its own handlers only when it is called, and a
// signal sent in between would otherwise kill the host with the default action (exit 130) instead of a clean stop.
using var stop = new CancellationTokenSource();
using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
await app.StartAsync();
var pids = app.ResourceNotifications.GetSnapshots().Select(s => s.Pid).OfType<int>();
Console.WriteLine($"PIDS: {string.Join(',', pids)}");
Console.WriteLine($"HOST: {Environment.ProcessId}");
Console.WriteLine("READY");

// --hold-before-run <file>: wait for that file before RunAsync, so a test can kill the parent in between (the window a
// loaded machine opens by itself).
if (Array.IndexOf(args, "--hold-before-run") is var hold and >= 0 && hold + 1 < args.Length)
{
    while (!File.Exists(args[hold + 1]))
    {
        await Task.Delay(20);
    }
}

await app.RunAsync(stop.Token);

void Stop(System.Runtime.InteropServices.PosixSignalContext context)
{
    context.Cancel = true;
    stop.Cancel();
}
