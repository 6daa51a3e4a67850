using CreAspire.Gateway.Tests.Support;
using Microsoft.Extensions.Options;

namespace CreAspire.Gateway.Tests.Gateway;

public sealed class GatewayOptionsTests
{
    [Fact]
    public async Task A_user_deadline_that_the_swept_handler_expiry_could_overrun_is_refused_at_start()
    {
        // Expiry at 30 s is swept every second, so it can land at 31 s: a 30.5 s user deadline could win the race.
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHost.StartAsync(new TestDon(), new Dictionary<string, string?>
        {
            ["Gateway:ConfidentialRelay:RequestTimeout"] = "00:00:30",
            ["Gateway:ConfidentialRelay:CleanupPeriod"] = "00:00:01",
            ["Gateway:UserRequestTimeout"] = "00:00:30.500",
        }));

        Assert.Contains("plus CleanupPeriod (00:00:01) must be below Gateway:UserRequestTimeout (00:00:30.5000000)", error.Message, StringComparison.Ordinal);
    }
}
