using Xunit.Abstractions;

namespace CreAspire.EndToEnd.Tests;

/// <summary>On a failed scenario, writes every resource's state and last log lines to the test output, then rethrows.</summary>
public static class ScenarioGuard
{
    public static async Task RunAsync(CreApp app, ITestOutputHelper output, Func<Task> scenario)
    {
        try
        {
            await scenario();
        }
        catch
        {
            output.WriteLine("Resources at the time of the failure:");
            output.WriteLine(app.DescribeResources(20));
            throw;
        }
    }
}
