namespace CreAspire.EndToEnd.Tests;

/// <summary>Waits for a condition with a deadline (never a fixed sleep): polls, and fails naming what it waited for.</summary>
public static class Eventually
{
    public static async Task WaitAsync(string what, Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        Exception? last = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if (await condition())
                {
                    return;
                }

                last = null;
            }
            catch (HttpRequestException ex)
            {
                last = ex;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }

        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.{(last is null ? "" : " Last error: " + last.Message)}");
    }
}
