using CreAspire.Gateway.Connections;
using CreAspire.Gateway.Tests.Support;
using Microsoft.Extensions.Logging;

namespace CreAspire.Gateway.Tests.Gateway;

public sealed class NodeSessionWarmUpTests
{
    [Fact]
    public async Task The_warm_up_runs_a_signed_challenge_and_a_heartbeat_without_a_warning()
    {
        var logger = new RecordingLogger<NodeSessionWarmUp>();
        var warmUp = new NodeSessionWarmUp(TimeProvider.System, logger);

        await warmUp.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.DoesNotContain(logger.Entries, e => e.Level >= LogLevel.Warning);
    }

    [Fact]
    public async Task A_host_stopping_during_the_warm_up_ends_it_without_a_warning()
    {
        var logger = new RecordingLogger<NodeSessionWarmUp>();
        var warmUp = new NodeSessionWarmUp(TimeProvider.System, logger);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => warmUp.StartAsync(new CancellationToken(canceled: true)));
        Assert.Empty(logger.Entries);
    }
}
