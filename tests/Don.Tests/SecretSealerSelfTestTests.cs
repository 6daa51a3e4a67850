using System.Collections.Concurrent;
using CreAspire.Protocol.Secrets;
using Microsoft.Extensions.Logging;

namespace CreAspire.Don.Tests;

/// <summary>The start-up seal/open self-test the capability nodes, the enclave and the workflow nodes run in the background.</summary>
public sealed class SecretSealerSelfTestTests
{
    [Fact]
    public void A_value_sealed_to_a_fresh_key_opens_to_the_same_bytes()
    {
        Assert.True(SecretSealerSelfTest.Run() > TimeSpan.Zero);
    }

    [Fact]
    public async Task Start_returns_at_once_and_the_test_reports_that_it_passed()
    {
        var logger = new RecordingLogger();
        var selfTest = new SecretSealerSelfTest(logger);

        await selfTest.StartAsync(CancellationToken.None);

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!logger.Lines.Any(l => l.Contains("self-test passed", StringComparison.Ordinal)))
        {
            Assert.DoesNotContain(logger.Lines, l => l.Contains("failed", StringComparison.Ordinal));
            await Task.Delay(10, deadline.Token);
        }

        await selfTest.StopAsync(CancellationToken.None);
    }

    private sealed class RecordingLogger : ILogger<SecretSealerSelfTest>
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Enqueue($"{logLevel}: {formatter(state, exception)}");
    }
}
